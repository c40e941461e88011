import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { applyPatch, parsePatch } from 'diff';

/**
 * Applies a numbered series of unified diffs (`NNNN-what.patch`, the text before the first
 * `diff`/`---` line being the patch's reason) to a source tree, in order, the way distributions
 * carry patches against an upstream release. Exact context only (no fuzz): a patch whose context
 * no longer matches is refused with its name and file, so an upgraded upstream cannot be built
 * with half its patches silently dropped.
 */
export async function applyPatchSeries(seriesDir: string, sourceDir: string): Promise<string[]> {
  const names = (await readdir(seriesDir)).filter((name) => /^\d{4}-[a-z0-9-]+\.patch$/.test(name)).sort();
  if (names.length === 0) throw new Error(`no patches in ${seriesDir}`);
  for (const name of names) await applyPatchFile(path.join(seriesDir, name), sourceDir);
  return names;
}

export async function applyPatchFile(patchFile: string, sourceDir: string): Promise<void> {
  const name = path.basename(patchFile);
  const files = parsePatch(await readFile(patchFile, 'utf8'));
  if (files.length === 0 || files.every((file) => file.hunks.length === 0)) throw new Error(`patch ${name} holds no changes`);
  // Every file is checked before any is written, so a refused patch leaves the tree as it was.
  const results: Array<{ target: string; text: string }> = [];
  for (const file of files) {
    const relative = stripPrefix(file.newFileName ?? file.oldFileName ?? '');
    if (!relative || relative.startsWith('..') || path.isAbsolute(relative)) throw new Error(`patch ${name} names no usable file (${file.newFileName})`);
    const target = path.join(sourceDir, relative);
    const isNewFile = file.hunks.length > 0 && file.hunks.every((hunk) => hunk.oldLines === 0 && hunk.oldStart <= 1);
    const original = isNewFile ? await readFile(target, 'utf8').then(() => null, () => '') : await readFile(target, 'utf8').catch(() => null);
    if (original === null) throw new Error(`patch ${name} no longer applies: ${relative} ${isNewFile ? 'already exists' : 'is missing'}`);
    const patched = applyPatch(original, file, { fuzzFactor: 0 });
    if (patched === false) throw new Error(`patch ${name} no longer applies to ${relative}: its context does not match (upstream changed; refresh the patch)`);
    results.push({ target, text: patched });
  }
  for (const { target, text } of results) {
    await mkdir(path.dirname(target), { recursive: true });
    await writeFile(target, text);
  }
}

const stripPrefix = (fileName: string) => fileName.replace(/^[ab]\//, '');
