/** The device's position for check-in/out; a readable Chinese message when it cannot be had. */
export function currentPosition(): Promise<{ lng: number; lat: number }> {
  return new Promise((resolve, reject) => {
    if (!('geolocation' in navigator)) {
      reject(new Error('此设备不支持定位，无法签到'));
      return;
    }
    navigator.geolocation.getCurrentPosition(
      (position) => resolve({ lng: position.coords.longitude, lat: position.coords.latitude }),
      (error) => reject(new Error(error.code === error.PERMISSION_DENIED ? '请允许浏览器获取位置后再签到' : '暂时无法获取位置，请到开阔处重试')),
      { enableHighAccuracy: true, timeout: 15_000, maximumAge: 30_000 },
    );
  });
}
