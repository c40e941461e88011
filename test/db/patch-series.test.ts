import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { mkdtemp, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { FERRETDB_PATCH_DIR, GO_ENV, preparePatchedSource } from '../../src/db/ferretdb-binary.ts';
import { applyPatchFile, applyPatchSeries } from '../../src/db/patch-series.ts';

const run = promisify(execFile);

const PATCH = `Why: a reason, as every patch in the series carries.

diff -ruN a/pkg/file.go b/pkg/file.go
--- a/pkg/file.go
+++ b/pkg/file.go
@@ -1,3 +1,3 @@
 package pkg
-var limit = 1
+var limit = 2
 // end
diff -ruN a/pkg/added.go b/pkg/added.go
--- a/pkg/added.go
+++ b/pkg/added.go
@@ -0,0 +1,2 @@
+package pkg
+var added = true
`;

describe('the FerretDB patch series', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'patch-series-'));
    await mkdir(path.join(dir, 'src', 'pkg'), { recursive: true });
    await mkdir(path.join(dir, 'series'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('applies its patches in order: changed files and new files', async () => {
    await writeFile(path.join(dir, 'src', 'pkg', 'file.go'), 'package pkg\nvar limit = 1\n// end\n');
    await writeFile(path.join(dir, 'series', '0001-raise-limit.patch'), PATCH);
    await writeFile(path.join(dir, 'series', '0002-raise-again.patch'), 'Why: later patches see earlier ones.\n\n--- a/pkg/file.go\n+++ b/pkg/file.go\n@@ -1,3 +1,3 @@\n package pkg\n-var limit = 2\n+var limit = 3\n // end\n');

    const applied = await applyPatchSeries(path.join(dir, 'series'), path.join(dir, 'src'));

    expect(applied).to.deep.equal(['0001-raise-limit.patch', '0002-raise-again.patch']);
    expect(await readFile(path.join(dir, 'src', 'pkg', 'file.go'), 'utf8')).to.equal('package pkg\nvar limit = 3\n// end\n');
    expect(await readFile(path.join(dir, 'src', 'pkg', 'added.go'), 'utf8')).to.equal('package pkg\nvar added = true\n');
  });

  it('refuses a patch whose context no longer matches, naming it, and writes none of its files', async () => {
    await writeFile(path.join(dir, 'src', 'pkg', 'file.go'), 'package pkg\nvar limit = 10\n// end\n');
    await writeFile(path.join(dir, 'series', '0001-raise-limit.patch'), PATCH);

    const error = await applyPatchFile(path.join(dir, 'series', '0001-raise-limit.patch'), path.join(dir, 'src')).then(() => null, (e: Error) => e);

    expect(error?.message).to.match(/0001-raise-limit\.patch no longer applies to pkg\/file\.go/);
    expect(await readFile(path.join(dir, 'src', 'pkg', 'file.go'), 'utf8')).to.equal('package pkg\nvar limit = 10\n// end\n');
    expect(await readFile(path.join(dir, 'src', 'pkg', 'added.go'), 'utf8').catch(() => 'absent')).to.equal('absent');
  });

  it('refuses a patch that would create a file upstream now has', async () => {
    await writeFile(path.join(dir, 'src', 'pkg', 'file.go'), 'package pkg\nvar limit = 1\n// end\n');
    await writeFile(path.join(dir, 'src', 'pkg', 'added.go'), 'package pkg\n');
    await writeFile(path.join(dir, 'series', '0001-raise-limit.patch'), PATCH);

    const error = await applyPatchSeries(path.join(dir, 'series'), path.join(dir, 'src')).then(() => null, (e: Error) => e);

    expect(error?.message).to.match(/0001-raise-limit\.patch no longer applies: pkg\/added\.go already exists/);
  });
});

describe('the project\'s FerretDB patch series on the real release', function () {
  // A copy of the sources, the series applied, and the patched package's own Go tests: compiling
  // them takes a while on two cores the first time (the Go build cache keeps it for later runs).
  this.timeout(600_000);
  let sourceDir: string;
  before(async () => {
    sourceDir = path.join(await mkdtemp(path.join(os.tmpdir(), 'ferretdb-series-')), 'src');
  });
  after(() => rm(path.dirname(sourceDir), { recursive: true, force: true }));

  it('applies every patch, in order, to FerretDB v1.24.2', async () => {
    const applied = await preparePatchedSource(sourceDir);

    expect(applied).to.deep.equal((await readdir(FERRETDB_PATCH_DIR)).filter((name) => name.endsWith('.patch')).sort());
    expect(applied).to.include('0009-one-pass-document-decode.patch');
  });

  it('decodes stored documents in one pass exactly as the original decoder does (Go tests and a fuzz run of patch 0009)', async () => {
    const env = { ...GO_ENV, CGO_ENABLED: '0' };
    // FerretDB's test helpers find the repository root by its .git directory; the module zip has none.
    await mkdir(path.join(sourceDir, '.git'), { recursive: true });
    const tests = await run('go', ['test', '-count=1', './internal/handler/sjson/'], { cwd: sourceDir, env, maxBuffer: 16 << 20 });
    expect(tests.stdout).to.match(/^ok\s+github\.com\/FerretDB\/FerretDB\/internal\/handler\/sjson/m);

    const fuzz = await run('go', ['test', '-run', '^$', '-fuzz', '^FuzzStarlightFastEqualsFull$', '-fuzztime', '10s', './internal/handler/sjson/'], { cwd: sourceDir, env, maxBuffer: 16 << 20 });
    expect(fuzz.stdout).to.match(/^ok\s+github\.com\/FerretDB\/FerretDB\/internal\/handler\/sjson/m);
  });

  it('reads a keyset page\'s array-valued rows through an index led by any of its fields (Go tests of patch 0011)', async () => {
    const env = { ...GO_ENV, CGO_ENABLED: '0' };
    await mkdir(path.join(sourceDir, '.git'), { recursive: true });
    const tests = await run('go', ['test', '-count=1', '-v', '-run', '^TestStarlight', './internal/backends/sqlite/'], { cwd: sourceDir, env, maxBuffer: 16 << 20 });
    expect(tests.stdout).to.match(/^--- PASS: TestStarlightArrayRowsAreTheGuardedRowsMinusThePlainOnes/m);
    expect(tests.stdout).to.match(/^--- PASS: TestStarlightArrayRowsUseAnIndexLedByAnyOfTheFields/m);
    expect(tests.stdout).to.match(/^ok\s+github\.com\/FerretDB\/FerretDB\/internal\/backends\/sqlite/m);
  });
});
