/* global document, window */
// Driving the web app as a person does: find sections by their heading, controls by their
// label, buttons by their text, type, tick, choose, click, and wait for text to appear. `root` is
// a page or an element (a section).
import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const isPage = (root) => typeof root.goto === 'function';
const pageOf = (root) => (isPage(root) ? root : root.frame.page());
const elementOf = (root) => (isPage(root) ? null : root);

export const SCREENSHOTS = fileURLToPath(new URL('../screenshots/', import.meta.url));

/** The card (section) whose heading reads `title`, optionally within the visible tab panel. */
export async function section(page, title, { timeout = 30_000 } = {}) {
  const handle = await page.waitForFunction((t) => {
    const panels = [...document.querySelectorAll('[role="tabpanel"]')].filter((p) => !p.hidden);
    for (const root of panels.length ? panels : [document.body]) {
      const h = [...root.querySelectorAll('section.card > h2')].find((x) => x.textContent.trim() === t);
      if (h) return h.parentElement;
    }
    return null;
  }, { timeout }, title);
  return handle.asElement();
}

/** The control labelled `label` inside `root` (its <label for>, or its fieldset legend). */
export async function control(root, label) {
  const handle = await root.evaluateHandle((el, l) => {
    const lab = [...el.querySelectorAll('label')].find((x) => x.textContent.trim() === l && x.offsetParent !== null)
      ?? [...el.querySelectorAll('label')].find((x) => x.textContent.trim().startsWith(l) && x.offsetParent !== null);
    return lab ? document.getElementById(lab.htmlFor) : null;
  }, label);
  const el = handle.asElement();
  if (!el) throw new Error(`no visible control labelled "${label}"`);
  return el;
}

/** Tick or untick the checkbox labelled `label` inside the fieldset whose legend is `legend`. */
export async function tick(root, legend, label, on = true) {
  const handle = await root.evaluateHandle((el, lg, l) => {
    const fs = [...el.querySelectorAll('fieldset')].find((f) => f.querySelector('legend')?.textContent.trim() === lg && f.offsetParent !== null);
    const lab = fs && [...fs.querySelectorAll('label')].find((x) => x.querySelector('.check-label')?.textContent.trim() === l || x.textContent.trim() === l);
    return lab ? document.getElementById(lab.htmlFor) : null;
  }, legend, label);
  const box = handle.asElement();
  if (!box) throw new Error(`no checkbox "${label}" in "${legend}"`);
  const checked = await box.evaluate((b) => b.checked);
  if (checked !== on) await box.click();
}

/** Untick every checkbox of the fieldset `legend`. */
export async function untickAll(root, legend) {
  const labels = await root.evaluate((el, lg) => {
    const fs = [...el.querySelectorAll('fieldset')].find((f) => f.querySelector('legend')?.textContent.trim() === lg && f.offsetParent !== null);
    return [...(fs?.querySelectorAll('input[type="checkbox"]:checked') ?? [])].map((i) => fs.querySelector(`label[for="${i.id}"] .check-label`).textContent.trim());
  }, legend);
  for (const l of labels) await tick(root, legend, l, false);
}

/** Click the radio labelled `label`. */
export async function chooseRadio(root, label) {
  const handle = await root.evaluateHandle((el, l) => {
    const lab = [...el.querySelectorAll('label')].find((x) => (x.querySelector('.check-label')?.textContent.trim() ?? x.textContent.trim()) === l && x.offsetParent !== null);
    return lab ? document.getElementById(lab.htmlFor) : null;
  }, label);
  const radio = handle.asElement();
  if (!radio) throw new Error(`no radio "${label}"`);
  await radio.click();
}

/** The visible button (or summary) that reads `text` inside `root`. */
export async function button(root, text, { timeout = 30_000 } = {}) {
  const page = pageOf(root);
  const handle = await page.waitForFunction((el, t) => {
    const scope = el ?? document.body;
    return [...scope.querySelectorAll('button, summary, a')].find((b) => b.textContent.trim() === t && b.offsetParent !== null && !b.disabled) ?? null;
  }, { timeout }, elementOf(root), text);
  return handle.asElement();
}

export async function click(root, text, opts) {
  const b = await button(root, text, opts);
  await b.click();
}

/** Choose, in the <select> labelled `label`, the option whose text starts with `text`. */
export async function choose(root, label, text) {
  const sel = await control(root, label);
  const value = await sel.evaluate((s, t) => [...s.options].find((o) => o.textContent.trim().startsWith(t))?.value ?? null, text);
  if (value === null) throw new Error(`no option "${text}" in "${label}"`);
  await sel.select(value);
}

/** Type into the control labelled `label` (replacing what it holds). */
export async function typeInto(root, label, text) {
  const input = await control(root, label);
  await input.click({ count: 3 });
  await input.evaluate((i) => { i.value = ''; });
  await input.type(text);
}

/** Pick a day in the date picker labelled `label` (yyyy-mm-dd), as the picker would set it. */
export async function pickDate(root, label, isoDate) {
  const input = await control(root, label);
  await input.evaluate((i, v) => {
    i.value = v;
    i.dispatchEvent(new Event('input', { bubbles: true }));
    i.dispatchEvent(new Event('change', { bubbles: true }));
  }, isoDate);
}

/** Wait until `root` (or the page) shows `text`; returns the text it shows. */
export async function waitForText(root, text, { timeout = 90_000 } = {}) {
  const page = pageOf(root);
  const el = elementOf(root);
  try {
    await page.waitForFunction((e, t) => (e ?? document.body).innerText.includes(t), { timeout, polling: 250 }, el, text);
  } catch (err) {
    const shown = await page.evaluate((e) => (e ?? document.body).innerText, el);
    throw new Error(`"${text}" did not appear in ${timeout} ms (${err.message}); shown:\n${shown.slice(0, 3000)}`);
  }
  return page.evaluate((e) => (e ?? document.body).innerText, el);
}

/** Wait until a regular expression matches the text of `root`. */
export async function waitForMatch(root, regex, { timeout = 90_000 } = {}) {
  const page = pageOf(root);
  const el = elementOf(root);
  try {
    await page.waitForFunction((e, src, flags) => new RegExp(src, flags).test((e ?? document.body).innerText), { timeout, polling: 250 }, el, regex.source, regex.flags);
  } catch (err) {
    const shown = await page.evaluate((e) => (e ?? document.body).innerText, el);
    throw new Error(`${regex} did not match in ${timeout} ms (${err.message}); shown:\n${shown.slice(0, 3000)}`);
  }
  return page.evaluate((e) => (e ?? document.body).innerText, el);
}

export const text = (root) => root.evaluate((e) => e.innerText);

/** Choose the signing account whose option starts with `name`. */
export async function useAccount(page, name) {
  const select = await page.waitForSelector('::-p-aria(Signing account)');
  const value = await select.evaluate((s, n) => [...s.options].find((o) => o.textContent.startsWith(n))?.value ?? null, name);
  if (!value) throw new Error(`no account "${name}" to choose`);
  await select.select(value);
}

/** Open a tab (Patient, Clinician, Auditor). */
export async function openTab(page, name) {
  const tab = await page.waitForSelector(`::-p-aria(${name}[role="tab"])`);
  await tab.click();
  await page.waitForFunction((n) => [...document.querySelectorAll('[role="tab"]')].some((t) => t.textContent === n && t.getAttribute('aria-selected') === 'true'), {}, name);
}

/**
 * Save a screenshot as e2e/screenshots/<name>.png: of the full page (or only the viewport), or,
 * given an element (a section), of that element alone.
 */
export async function screenshot(root, name, { fullPage = true } = {}) {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const path = `${SCREENSHOTS}${name}.png`;
  if (isPage(root)) await root.screenshot({ path, fullPage });
  else await root.screenshot({ path });
  return path;
}

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/**
 * The WCAG 2.x A and AA violations axe-core finds on the page as it is now (colour contrast,
 * labels, names of buttons and links, ARIA use, ...), as `rule: selector` lines: [] when clean.
 */
export async function accessibilityViolations(page) {
  if (!(await page.evaluate(() => typeof window.axe === 'object'))) await page.evaluate(AXE_SOURCE);
  const violations = await page.evaluate(async () => {
    const result = await window.axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
    return result.violations.map((v) => ({ id: v.id, targets: v.nodes.map((n) => n.target.join(' ')) }));
  });
  return violations.flatMap((v) => v.targets.map((t) => `${v.id}: ${t}`));
}
