import ElementPlus from 'element-plus';
import zhCn from 'element-plus/es/locale/lang/zh-cn.mjs';
import 'element-plus/dist/index.css';
import { createApp } from 'vue';
import App from './App.vue';
import { session } from './api/session.ts';
import { router } from './router.ts';
import './styles.css';

session.restore();
createApp(App).use(ElementPlus, { locale: zhCn }).use(router).mount('#app');
