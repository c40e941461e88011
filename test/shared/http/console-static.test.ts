import { expect } from 'chai';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { createApp } from '../../../src/app.ts';
import { jobs } from '../../../src/capabilities.ts';
import { JobRunner } from '../../../src/jobs/index.ts';
import { logger } from '../../../src/shared/logger.ts';
import { testConfig } from '../../support/app.ts';

// The console is served from a folder of built files; this one stands in for web/dist so the
// serving rules are tested without a Vite build (the end-to-end tests use the real build).
describe('web console serving', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'console-dist-'));
  mkdirSync(path.join(dir, 'assets'));
  writeFileSync(path.join(dir, 'index.html'), '<!doctype html><title>星光助老</title><div id="app"></div>');
  writeFileSync(path.join(dir, 'assets', 'index-abc123.js'), 'console.log(1)');
  const config = testConfig();
  const app = createApp({ config, jobRunner: new JobRunner(config, logger, jobs), consoleDir: dir });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('answers index.html at / with a CSP that allows only self-hosted scripts', async () => {
    const res = await request(app).get('/');

    expect(res.status).to.equal(200);
    expect(res.text).to.contain('<div id="app">');
    expect(res.headers['cache-control']).to.equal('no-cache');
    const csp = res.headers['content-security-policy'] as string;
    expect(csp).to.contain("script-src 'self'");
    expect(csp).to.contain("style-src 'self' 'unsafe-inline'");
    expect(csp).not.to.contain('upgrade-insecure-requests');
  });

  it('answers index.html for a deep link of the console', async () => {
    const res = await request(app).get('/seniors/6650f1c2a1b2c3d4e5f60718');

    expect(res.status).to.equal(200);
    expect(res.text).to.contain('<div id="app">');
  });

  it('serves hashed assets with a long cache, and a missing asset as a 404', async () => {
    const asset = await request(app).get('/assets/index-abc123.js');
    expect(asset.status).to.equal(200);
    expect(asset.headers['content-type']).to.match(/javascript/);
    expect(asset.headers['cache-control']).to.contain('immutable');

    const missing = await request(app).get('/assets/gone-000.js');
    expect(missing.status).to.equal(404);
    expect(missing.body.error.code).to.equal('NOT_FOUND');
  });

  it('keeps the JSON 404 for unknown API paths and leaves the probes alone', async () => {
    const api = await request(app).get('/api/v1/no-such-thing');
    expect(api.status).to.equal(404);
    expect(api.headers['content-type']).to.match(/json/);
    expect(api.body.error.code).to.equal('NOT_FOUND');

    const health = await request(app).get('/healthz');
    expect(health.status).to.equal(200);
    expect(health.body).to.deep.equal({ status: 'ok' });

    const metrics = await request(app).get('/metrics');
    expect(metrics.status).to.equal(200);
    expect(metrics.text).not.to.contain('<div id="app">');
  });

  it('answers the JSON 404 at / when the console was never built', async () => {
    const bare = createApp({ config, jobRunner: new JobRunner(config, logger, jobs), consoleDir: path.join(dir, 'missing') });

    const res = await request(bare).get('/');

    expect(res.status).to.equal(404);
    expect(res.body.error.code).to.equal('NOT_FOUND');
  });
});
