// Opens every notebook in JupyterLab in headless Chromium and runs it as a student would:
// Kernel → "Restart Kernel and Run All Cells…" → Restart, then waits until every cell has run.
// For each notebook it checks that no cell failed, that the page shows as many SVG plots and
// HTML tables as the headless run produced, and saves a full-page screenshot.
//
// Started by `cargo xtask e2e` with one argument: a JSON file
//   { url, token, chromium, workDir, outDir, headlessDir, notebooks: [names], timeoutMinutes }
// It writes outDir/results.json and exits 1 when a notebook fails a check.

import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const config = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const { url, token, workDir, outDir, headlessDir, notebooks } = config;
const timeoutMs = (config.timeoutMinutes ?? 20) * 60_000;
mkdirSync(outDir, { recursive: true });

const api = async (path, method = 'GET') => {
  const response = await fetch(`${url}${path}`, { method, headers: { Authorization: `token ${token}` } });
  if (!response.ok && response.status !== 204) throw new Error(`${method} ${path}: HTTP ${response.status}`);
  return response.status === 204 ? null : response.json().catch(() => null);
};

// What the headless run (nbclient, target/notebooks) produced: the counts the page must show.
function headlessCounts(name) {
  const nb = JSON.parse(readFileSync(join(headlessDir, name), 'utf8'));
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

// Errors as the saved notebook records them (exact), and outputs as the page renders them.
function savedErrors(name) {
  const nb = JSON.parse(readFileSync(join(workDir, name), 'utf8'));
  const errors = [];
  nb.cells.forEach((cell, index) => {
    for (const out of cell.outputs ?? []) {
      if (out.output_type === 'error') errors.push(`cell ${index}: ${out.ename}: ${String(out.evalue).slice(0, 300)}`);
    }
  });
  return errors;
}

// The notebook on show: the one panel JupyterLab has not hidden.
const PANEL = '.jp-NotebookPanel:not(.lm-mod-hidden)';

async function runNotebook(browser, name) {
  const started = Date.now();
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const result = { notebook: name, problems: [] };
  try {
    // `reset`: JupyterLab would otherwise reopen the notebooks of the previous pages, each starting
    // a kernel that competes for the machine and adds its plots to the page.
    await page.goto(`${url}/lab/tree/${encodeURIComponent(name)}?reset&token=${token}`);
    await page.waitForSelector(`${PANEL} .jp-Notebook-ExecutionIndicator`, { timeout: 120_000 });
    await page.waitForFunction(
      (panel) => document.querySelector(`${panel} .jp-Notebook-ExecutionIndicator`)?.getAttribute('data-status') === 'idle',
      PANEL,
      { timeout: 180_000 },
    );
    const panels = await page.locator('.jp-NotebookPanel').count();
    if (panels !== 1) result.problems.push(`the page opened ${panels} notebooks, not 1`);
    // The student's way: the Kernel menu, then confirm the restart.
    await page.locator('.lm-MenuBar-itemLabel', { hasText: /^Kernel$/ }).click();
    await page.locator('.lm-Menu-item', { hasText: 'Restart Kernel and Run All Cells' }).click();
    await page.locator('.jp-Dialog-footer button.jp-mod-accept').click();
    // Done when every code cell shows an execution count and the kernel is idle again.
    await page.waitForFunction(
      (panel) => {
        const prompts = [...document.querySelectorAll(`${panel} .jp-CodeCell .jp-InputPrompt`)].map((e) => e.textContent.trim());
        const status = document.querySelector(`${panel} .jp-Notebook-ExecutionIndicator`)?.getAttribute('data-status');
        return prompts.length > 0 && prompts.every((p) => /\[\d+\]/.test(p)) && status === 'idle';
      },
      PANEL,
      { timeout: timeoutMs, polling: 1000 },
    );
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
    result.seen = { svgs: seen.svgs, tables: seen.tables };
    result.expected = headlessCounts(name);
    if (seen.svgs !== result.expected.svgs) {
      result.problems.push(`the page shows ${seen.svgs} SVG plots, the headless run made ${result.expected.svgs}`);
    }
    if (seen.tables !== result.expected.tables) {
      result.problems.push(`the page shows ${seen.tables} HTML tables, the headless run made ${result.expected.tables}`);
    }
    result.stderr = seen.stderr;
    // Save the work copy (never the repository's notebook) to read the run's outputs exactly.
    await page.keyboard.press('Control+s');
    await page.waitForTimeout(1500);
    result.errors = savedErrors(name);
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
try {
  for (const name of notebooks) {
    console.log(`--- ${name}: Restart Kernel and Run All Cells`);
    const result = await runNotebook(browser, name);
    results.push(result);
    const status = result.problems.length ? 'FAILED' : 'ok    ';
    console.log(
      `${status} ${name} in ${result.seconds.toFixed(0)} s: ${result.seen?.svgs ?? '?'} SVG plots, ${result.seen?.tables ?? '?'} tables, screenshot ${result.screenshot}`,
    );
    for (const problem of result.problems) console.log(`       ${problem}`);
  }
} finally {
  await browser.close();
  writeFileSync(join(outDir, 'results.json'), JSON.stringify(results, null, 2));
}
process.exit(results.some((r) => r.problems.length) ? 1 : 0);
