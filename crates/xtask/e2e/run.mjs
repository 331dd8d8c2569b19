// Opens every notebook in JupyterLab in headless Chromium and runs it as a student would:
// Run → "Run All Cells" in the notebook's fresh kernel, then waits until every cell has run.
// For each notebook it saves the work copy and checks that no cell failed (the saved outputs,
// exactly as nbclient would read them), that the page renders every SVG plot and HTML table the
// kernel sent, and saves a full-page screenshot.
//
// A notebook cannot hang the run: it gets `dslab.browser_limit_s` seconds from its metadata
// (default `limitSeconds`), and stops early when no cell finished for `stallSeconds`; either way
// the result says what the page showed (cells run, the running cell, dialogs, the last stderr
// line), the kernel's state from the server, and where the screenshot is.
//
// Started by `cargo xtask e2e` / `cargo xtask test` with one argument: a JSON file
//   { url, token, chromium, workDir, outDir, notebooks: [names], limitSeconds, stallSeconds }
// It writes outDir/results.json and exits 1 when a notebook fails a check.

import { readFileSync, writeFileSync, mkdirSync, statSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const config = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const { url, token, workDir, outDir, notebooks } = config;
const defaultLimit = config.limitSeconds ?? 900;
const stallSeconds = config.stallSeconds ?? 480;
mkdirSync(outDir, { recursive: true });

const api = async (path, method = 'GET') => {
  const response = await fetch(`${url}${path}`, { method, headers: { Authorization: `token ${token}` } });
  if (!response.ok && response.status !== 204) throw new Error(`${method} ${path}: HTTP ${response.status}`);
  return response.status === 204 ? null : response.json().catch(() => null);
};

// What the kernel sent, as the saved notebook records it: the counts the page must render.
function savedCounts(nb) {
  let svgs = 0;
  let tables = 0;
  for (const cell of nb.cells) {
    for (const out of cell.outputs ?? []) {
      const data = out.data ?? {};
      if (data['image/svg+xml']) svgs += 1;
      const html = [].concat(data['text/html'] ?? []).join('');
      tables += (html.match(/<table/g) ?? []).length;
    }
  }
  return { svgs, tables };
}

const readNotebook = (name) => JSON.parse(readFileSync(join(workDir, name), 'utf8'));

// After Ctrl+S: wait until the file on disk is newer than `since` and records every code cell as run.
async function waitForSave(page, name, since) {
  for (let i = 0; i < 60; i += 1) {
    try {
      if (statSync(join(workDir, name)).mtimeMs > since) {
        const nb = readNotebook(name);
        const code = nb.cells.filter((c) => c.cell_type === 'code');
        if (code.every((c) => c.execution_count != null)) return nb;
      }
    } catch {
      // the server may be writing the file; read it again
    }
    await page.waitForTimeout(500);
  }
  throw new Error('the saved notebook never recorded every cell as run (Ctrl+S did not save?)');
}

// Errors as the saved notebook records them (exact). evcxr reports a panicking cell (a failed
// assert! among them) as run and prints Rust's panic message to stderr: that counts as an error.
function savedErrors(nb) {
  const errors = [];
  nb.cells.forEach((cell, index) => {
    for (const out of cell.outputs ?? []) {
      if (out.output_type === 'error') errors.push(`cell ${index}: ${out.ename}: ${String(out.evalue).slice(0, 300)}`);
      const text = [].concat(out.text ?? []).join('');
      if (out.output_type === 'stream' && out.name === 'stderr' && /\bpanicked at /.test(text)) {
        errors.push(`cell ${index} panicked: ${text.trim().slice(0, 400)}`);
      }
    }
  });
  return errors;
}

// The notebook on show: the one panel JupyterLab has not hidden.
const PANEL = '.jp-NotebookPanel:not(.lm-mod-hidden)';

// What the page shows now: cells run, the running cell, the kernel indicator, dialogs, stderr.
const progress = (page) =>
  page.evaluate((panelSelector) => {
    const panel = document.querySelector(panelSelector);
    const cells = [...(panel?.querySelectorAll('.jp-CodeCell') ?? [])];
    const prompts = cells.map((c) => c.querySelector('.jp-InputPrompt')?.textContent.trim() ?? '');
    const running = prompts.findIndex((p) => p.includes('*'));
    const stderr = [...(panel?.querySelectorAll('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]') ?? [])];
    return {
      cells: cells.length,
      done: prompts.filter((p) => /\[\d+\]/.test(p)).length,
      running,
      runningSource: running >= 0 ? (cells[running].querySelector('.jp-InputArea-editor')?.textContent ?? '').slice(0, 120) : '',
      status: panel?.querySelector('.jp-Notebook-ExecutionIndicator')?.getAttribute('data-status') ?? 'no indicator',
      dialogs: [...document.querySelectorAll('.jp-Dialog')].map((d) => d.textContent.trim().slice(0, 200)),
      lastStderr: stderr.length ? stderr[stderr.length - 1].textContent.trim().slice(-300) : '',
    };
  }, PANEL);

// The kernels as the server sees them (state and last activity), for a diagnosis.
const kernelState = async () => {
  const kernels = (await api('/api/kernels').catch((e) => [{ error: e.message }])) ?? [];
  return kernels.map((k) => (k.error ? k.error : `${k.name} ${k.execution_state}, last activity ${k.last_activity}`)).join('; ');
};

// Whether the server's kernel for the notebook on `page` (its session) is idle.
const serverIdle = async (page) => {
  const name = decodeURIComponent(new URL(page.url()).pathname.split('/').pop() ?? '');
  const sessions = (await api('/api/sessions').catch(() => [])) ?? [];
  return sessions.some((s) => s.path?.endsWith(name) && s.kernel?.execution_state === 'idle');
};

// The notebook's kernel as the toolbar shows it, and the execution indicator.
const kernelShown = (page) =>
  page.evaluate((panelSelector) => {
    const panel = document.querySelector(panelSelector);
    return {
      name: (panel?.querySelector('.jp-KernelName')?.textContent ?? '').trim(),
      status: panel?.querySelector('.jp-Notebook-ExecutionIndicator')?.getAttribute('data-status') ?? '',
    };
  }, PANEL);

// Chooses `item` in the menu bar's `top` menu, as a student would.
async function menu(page, top, item) {
  await page.locator('.lm-MenuBar-itemLabel', { hasText: new RegExp(`^${top}$`) }).click();
  await page.locator('.lm-Menu-itemLabel', { hasText: new RegExp(`^${item}$`) }).click();
}

// What ensureRustKernel tries, in order, when the page never shows the server's idle kernel.
const RECOVERIES = [
  ['Kernel → Reconnect to Kernel', (page) => menu(page, 'Kernel', 'Reconnect to Kernel')],
  [
    'reloaded the page',
    async (page) => {
      await page.reload();
      await page.waitForSelector(`${PANEL} .jp-Notebook-ExecutionIndicator`, { timeout: 120_000 });
    },
  ],
];

// Waits until the notebook is on the Rust kernel and idle. On a fresh server the first page may
// show "No Kernel" for a while and then a "Select Kernel" dialog (seen here offering Python 3),
// or no dialog at all (seen in CI): a dialog is answered with Rust, and a notebook still without
// a kernel after 45 s gets one as a student would, by clicking the kernel name in the toolbar
// and choosing Rust. Another kernel is an error. Returns what was done, for the notes.
async function ensureRustKernel(page) {
  const done = [];
  const started = Date.now();
  let clicked = false;
  let rustSince = null;
  let recovered = 0;
  for (;;) {
    const dialog = page.locator('.jp-Dialog');
    if (await dialog.count()) {
      const title = ((await dialog.first().locator('.jp-Dialog-header').textContent().catch(() => '')) ?? '').trim();
      const select = dialog.first().locator('select');
      if (await select.count()) {
        const rust = await select.locator('option', { hasText: /^Rust$/ }).first().getAttribute('value').catch(() => null);
        if (rust == null) throw new Error(`the dialog "${title}" offers no Rust kernel`);
        await select.selectOption(rust);
      }
      await dialog.first().locator('button.jp-mod-accept').click();
      await dialog.first().waitFor({ state: 'detached', timeout: 30_000 });
      done.push(`chose Rust in the dialog "${title}"`);
      continue;
    }
    const shown = await kernelShown(page);
    if (shown.name === 'Rust' && shown.status === 'idle') return done;
    if (shown.name && !['Rust', 'No Kernel', 'Unknown'].includes(shown.name) && !/^Kernel/i.test(shown.name)) {
      throw new Error(`the notebook is on the kernel "${shown.name}", not Rust`);
    }
    const waited = (Date.now() - started) / 1000;
    // Seen here: the server's kernel idle while the page still shows "Rust | Unknown" after
    // 240 s (the page's connection never got the kernel's first reply). A student would use
    // Kernel → Reconnect to Kernel, then reload the page.
    if (shown.name === 'Rust') rustSince ??= Date.now();
    const onRust = rustSince == null ? 0 : (Date.now() - rustSince) / 1000;
    if (onRust > 60 && recovered < RECOVERIES.length && (await serverIdle(page))) {
      const [what, act] = RECOVERIES[recovered++];
      await act(page);
      rustSince = null;
      done.push(`the page showed Rust "${shown.status}" for 60 s with the server's kernel idle: ${what}`);
      continue;
    }
    if (waited > 45 && !clicked && shown.name !== 'Rust') {
      await page.locator(`${PANEL} .jp-KernelName`).first().click();
      clicked = true;
      done.push(`no kernel after ${Math.round(waited)} s ("${shown.name}"): chose one from the toolbar's kernel name`);
      await page.waitForTimeout(1000);
      continue;
    }
    if (waited > 360) {
      throw new Error(`no idle Rust kernel after ${Math.round(waited)} s: the toolbar shows "${shown.name}", indicator "${shown.status}"; server: ${await kernelState()}`);
    }
    await page.waitForTimeout(1000);
  }
}

// Run → Run All Cells, in the fresh kernel the notebook opened with (every notebook gets its own:
// the previous one's session is shut down). Not Kernel → Restart Kernel and Run All Cells: seen
// here, evcxr_jupyter 0.22.0 sometimes exits during a restart ("Codec Error: Broken pipe" on a
// reply to a closed connection), JupyterLab then restarts it again and the Run All is lost.
// Returns what was done, for the notes.
async function runAll(page) {
  const done = await ensureRustKernel(page);
  await menu(page, 'Run', 'Run All Cells');
  done.push('Run All Cells');
  return done.join(', then ');
}

// Whether some code cell is running or has run within `seconds`.
async function cellsStarted(page, seconds) {
  const deadline = Date.now() + seconds * 1000;
  while (Date.now() < deadline) {
    const now = await progress(page);
    if (now.running >= 0 || now.done > 0) return true;
    await page.waitForTimeout(1000);
  }
  return false;
}

function limitFor(name) {
  try {
    return readNotebook(name).metadata?.dslab?.browser_limit_s ?? defaultLimit;
  } catch {
    return defaultLimit;
  }
}

async function runNotebook(browser, name) {
  const started = Date.now();
  const limit = limitFor(name);
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const result = { notebook: name, limitSeconds: limit, problems: [] };
  try {
    // `reset`: JupyterLab would otherwise reopen the notebooks of the previous pages, each starting
    // a kernel that competes for the machine and adds its plots to the page.
    await page.goto(`${url}/lab/tree/${encodeURIComponent(name)}?reset&token=${token}`);
    await page.waitForSelector(`${PANEL} .jp-Notebook-ExecutionIndicator`, { timeout: 120_000 });
    // The kernel (and any "Select Kernel" dialog) is awaited in runAll; let the page settle first.
    await page.waitForTimeout(2000);
    const panels = await page.locator('.jp-NotebookPanel').count();
    if (panels !== 1) result.problems.push(`the page opened ${panels} notebooks, not 1`);
    // The student's way: the Run menu. If no cell starts (seen once on the first page of a run),
    // choose it once more, as a student would, and say so.
    const how = await runAll(page);
    if (how !== 'Run All Cells') {
      result.notes = [how];
      console.log(`       note: ${how}`);
    }
    if (!(await cellsStarted(page, 90))) {
      const note = `${how}: no cell started within 90 s; chose Run All Cells again`;
      result.notes = [...(result.notes ?? []), note];
      console.log(`       note: ${note}`);
      await runAll(page);
    }
    // Done when every code cell shows an execution count and the kernel is idle again; watched
    // every 2 s so that a stall or the time limit ends with what the page showed.
    let last = { done: -1 };
    let lastChange = Date.now();
    for (;;) {
      const now = await progress(page);
      if (now.done !== last.done || now.running !== last.running) lastChange = Date.now();
      last = now;
      if (now.cells > 0 && now.done === now.cells && now.status === 'idle') break;
      const elapsed = (Date.now() - started) / 1000;
      const quiet = (Date.now() - lastChange) / 1000;
      if (elapsed > limit || quiet > stallSeconds) {
        const why = elapsed > limit ? `ran past its limit of ${limit} s` : `made no progress for ${Math.round(quiet)} s`;
        const where = now.running >= 0 ? `code cell ${now.running + 1} running (${JSON.stringify(now.runningSource)})` : 'no cell running';
        throw new Error(
          `${why}: ${now.done} of ${now.cells} code cells run, ${where}, kernel indicator ${now.status}` +
            (now.dialogs.length ? `, dialog open: ${JSON.stringify(now.dialogs)}` : '') +
            (now.lastStderr ? `, last stderr: ${JSON.stringify(now.lastStderr)}` : '') +
            `; server: ${await kernelState()}`,
        );
      }
      await page.waitForTimeout(2000);
    }
    result.seconds = (Date.now() - started) / 1000;
    const seen = await page.evaluate((panelSelector) => {
      const panel = document.querySelector(panelSelector);
      return {
        svgs: panel.querySelectorAll('.jp-OutputArea-child .jp-RenderedSVG img, .jp-OutputArea-child .jp-RenderedSVG svg').length,
        tables: panel.querySelectorAll('.jp-OutputArea-output table').length,
        stderr: [...panel.querySelectorAll('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]')].map((e) =>
          e.textContent.slice(0, 200),
        ),
        height: panel.querySelector('.jp-WindowedPanel-outer')?.scrollHeight ?? 900,
      };
    }, PANEL);
    result.stderr = seen.stderr;
    // Save the work copy (never the repository's notebook) to read the run's outputs exactly.
    const beforeSave = Date.now() - 1000;
    await page.keyboard.press('Control+s');
    const saved = await waitForSave(page, name, beforeSave);
    result.seen = { svgs: seen.svgs, tables: seen.tables };
    result.expected = savedCounts(saved);
    if (seen.svgs !== result.expected.svgs) {
      result.problems.push(`the page shows ${seen.svgs} SVG plots, the kernel sent ${result.expected.svgs}`);
    }
    if (seen.tables !== result.expected.tables) {
      result.problems.push(`the page shows ${seen.tables} HTML tables, the kernel sent ${result.expected.tables}`);
    }
    result.errors = savedErrors(saved);
    result.problems.push(...result.errors);
    // A screenshot of the whole notebook: hide the file browser, make the window as tall as the
    // notebook and scroll back to its top.
    await page.keyboard.press('Control+b');
    await page.setViewportSize({ width: 1280, height: Math.min(seen.height + 180, 30_000) });
    await page.evaluate(() => {
      const panel = document.querySelector('.jp-WindowedPanel-outer');
      if (panel) panel.scrollTop = 0;
    });
    await page.waitForTimeout(1000);
    result.screenshot = join(outDir, name.replace(/\.ipynb$/, '.png'));
    await page.screenshot({ path: result.screenshot, fullPage: true });
  } catch (error) {
    result.problems.push(`did not finish: ${error.message.split('\n')[0]}`);
    result.screenshot = join(outDir, name.replace(/\.ipynb$/, '.failed.png'));
    await page.screenshot({ path: result.screenshot, fullPage: true }).catch(() => {});
  } finally {
    // Shut the notebook's kernel down so the next notebook gets the machine's memory.
    const sessions = (await api('/api/sessions').catch(() => [])) ?? [];
    for (const session of sessions) await api(`/api/sessions/${session.id}`, 'DELETE').catch(() => {});
    await page.close();
  }
  result.seconds ??= (Date.now() - started) / 1000;
  return result;
}

const browser = await chromium.launch({
  executablePath: config.chromium,
  headless: true,
  args: [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
  ],
});
const results = [];
// progress.json: which notebooks are done, for the parameter reruns that follow this pass
// (`notebooks.py rerun --follow`); written whole to a temporary name, then renamed.
const doneNotebooks = {};
const writeProgress = (finished) => {
  const path = join(outDir, 'progress.json');
  writeFileSync(`${path}.tmp`, JSON.stringify({ finished, notebooks: doneNotebooks }, null, 2));
  renameSync(`${path}.tmp`, path);
};
writeProgress(false);
// The server reads the kernel specs on first request; ask before the first page needs them.
const specs = await api('/api/kernelspecs').catch((e) => ({ error: e.message }));
if (!specs?.kernelspecs?.rust) console.log(`note: the server lists no "rust" kernel spec yet: ${JSON.stringify(specs).slice(0, 300)}`);
try {
  // Notebooks with parameter reruns first: their reruns (headless, `notebooks.py rerun --follow`)
  // start once the browser has saved them and then overlap the notebooks without reruns.
  const hasReruns = (name) => {
    try {
      return readNotebook(name).metadata?.dslab?.rerun != null;
    } catch {
      return false;
    }
  };
  const withReruns = new Set(notebooks.filter(hasReruns));
  const ordered = [...withReruns, ...notebooks.filter((n) => !withReruns.has(n))];
  for (const name of ordered) {
    console.log(`--- ${name}: Run All Cells`);
    const result = await runNotebook(browser, name);
    results.push(result);
    doneNotebooks[name] = { ok: result.problems.length === 0 };
    writeProgress(false);
    const status = result.problems.length ? 'FAILED' : 'ok    ';
    console.log(
      `${status} ${name} in ${result.seconds.toFixed(0)} s: ${result.seen?.svgs ?? '?'} SVG plots, ${result.seen?.tables ?? '?'} tables, screenshot ${result.screenshot}`,
    );
    for (const problem of result.problems) console.log(`       ${problem}`);
  }
} finally {
  writeProgress(true);
  await browser.close();
  writeFileSync(join(outDir, 'results.json'), JSON.stringify(results, null, 2));
}
process.exit(results.some((r) => r.problems.length) ? 1 : 0);
