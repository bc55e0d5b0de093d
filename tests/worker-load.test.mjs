// A small load test of the edge worker (the full one is scripts/bench-worker.sh):
// workerd listening on 127.0.0.1, requests from a second process over 8
// connections, every fifth one carrying a `remote` payload from
// malicious.tsv (expected 403), the rest clean or benign.tsv look-alikes
// (expected 200). Bounded: 1,500 warm-up + 2,000 measured requests, each
// client run killed after 120 s.
import test from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { ROOT } from './lib/common.mjs';
import { startOrigin, startWorker } from './fixtures/worker-harness.mjs';

function workerdPid() {
  const out = execFileSync('ps', ['-o', 'pid=,comm=', '--ppid', String(process.pid)], { encoding: 'utf8' });
  const row = out.split('\n').map((l) => l.trim().split(/\s+/)).find((p) => p[1] === 'workerd');
  return row ? Number(row[0]) : null;
}

const rssKiB = (pid) => Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))[1]);

function runLoad(url, requests, connections) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [
      path.join(ROOT, 'tests/fixtures/worker-bench.mjs'), 'load',
      '--url', url, '--requests', String(requests), '--connections', String(connections),
    ], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d) => { out += d; });
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      if (code !== 0) reject(new Error(`load client exited ${code}`));
      else resolve(JSON.parse(out.trim().split('\n').pop()));
    });
  });
}

test('2,000 mixed requests over 8 connections: no errors, no wrong decisions, no gross memory growth', { timeout: 180_000 }, async (t) => {
  const origin = await startOrigin();
  t.after(() => origin.close());
  const w = await startWorker({ ORIGIN: origin.url, LOG_CLEAN: 'false' }, { port: 0 });
  t.after(() => w.dispose());
  const url = String(w.url).replace(/\/$/, '');
  const pid = workerdPid();
  assert.ok(pid, 'workerd process found');

  // Warm-up round, then the measured one: memory is compared between the
  // two, after the isolate, the wasm instance and the pools exist.
  await runLoad(url, 1500, 8);
  const before = rssKiB(pid);
  const r = await runLoad(url, 2000, 8);
  const after = rssKiB(pid);
  t.diagnostic(`load: ${JSON.stringify(r)}; workerd RSS ${before} -> ${after} KiB`);
  assert.equal(r.requests, 2000);
  assert.equal(r.errors, 0);
  assert.equal(r.wrong, 0, JSON.stringify(r.examples));
  // 1 in 5 requests is malicious (worker-bench.mjs `loadMix`).
  assert.equal(r.blocked403, 400);
  // A coarse guard against gross leaks only: workerd's RSS climbs through
  // the first tens of thousands of requests whatever the worker does (the
  // benchmark's pass-through worker, with no wasm and no filter, grows about
  // as much), so a tight bound here would be flaky. scripts/bench-worker.sh
  // compares the filter's growth with the pass-through's over 20,000
  // requests; that is the real memory check.
  assert.ok(after - before < 64 * 1024, `RSS grew ${after - before} KiB`);
});
