/**
 * What an admin waits for, measured in a real Chromium: how soon a cold load of the edit page shows
 * the stored URL, how soon the list shows its rows and answers to input, and how soon Save confirms.
 * Times are taken inside the page (`performance.now()`, from the navigation's start or the click),
 * so Playwright's own round trips do not count.
 */
import { type Browser, chromium, type Page } from "@playwright/test";
import { chromiumLaunchOptions } from "../e2e/chromium";
import { percentile } from "./stats";

const COLD_LOADS = 7;
const SAVES = 30;

type Target = { baseUrl: string; sessionToken: string; webhookId: string; storedUrl: string };

/** What shows a page is there: an element, and for a field, the value it must hold. */
type Shown = { selector: string; value?: string };

/**
 * A page in a context of its own (empty cache: every load is cold) that records, from the
 * document's start, the first frame in which `shown` holds and the first in which React has
 * hydrated `hydratedSelector`'s element (React marks the nodes it owns).
 */
async function coldPage(browser: Browser, target: Target, shown: Shown, hydratedSelector: string) {
  const context = await browser.newContext();
  if (target.sessionToken) {
    await context.addCookies([{ name: "session", value: target.sessionToken, url: target.baseUrl }]);
  }
  const page = await context.newPage();
  // As source text: functions handed to Playwright are serialised, and tsx's name-keeping helpers
  // would go with them into a page that has no such helpers.
  await page.addInitScript({
    content: `(() => {
      const shown = ${JSON.stringify(shown)}, hydratedSelector = ${JSON.stringify(hydratedSelector)};
      const marks = (window.benchMarks = {});
      const isShown = () => {
        const element = document.querySelector(shown.selector);
        return !!element && (shown.value === undefined || element.value === shown.value);
      };
      const frame = () => {
        const element = document.querySelector(hydratedSelector);
        if (!marks.shown && isShown()) marks.shown = performance.now();
        if (!marks.hydrated && element && Object.keys(element).some((key) => key.startsWith("__reactFiber")))
          marks.hydrated = performance.now();
        if (!marks.shown || !marks.hydrated) requestAnimationFrame(frame);
      };
      requestAnimationFrame(frame);
    })();`,
  });
  return { page, close: () => context.close() };
}

async function marksOf(page: Page) {
  const handle = await page.waitForFunction(() => {
    const marks = (window as unknown as { benchMarks?: { shown?: number; hydrated?: number } }).benchMarks;
    return marks?.shown && marks.hydrated ? marks : null;
  });
  return (await handle.jsonValue()) as { shown: number; hydrated: number };
}

async function coldLoads(browser: Browser, target: Target, path: string, ready: Shown, hydrated: string) {
  const shown: number[] = [];
  const interactive: number[] = [];
  for (let i = 0; i < COLD_LOADS; i++) {
    const { page, close } = await coldPage(browser, target, ready, hydrated);
    await page.goto(`${target.baseUrl}${path}`);
    const marks = await marksOf(page);
    shown.push(marks.shown);
    interactive.push(marks.hydrated);
    await close();
  }
  return { shown: percentile(shown, 50), interactive: percentile(interactive, 50) };
}

/** Save → "Webhook saved" on the form, each save toggling one event so it writes. */
async function saves(browser: Browser, target: Target): Promise<number[]> {
  const { page, close } = await coldPage(browser, target, { selector: "form" }, "form");
  await page.goto(`${target.baseUrl}/webhooks/${target.webhookId}`);
  await marksOf(page);
  const event = page.getByLabel("shift.cancelled", { exact: true });
  const save = page.getByRole("button", { name: "Save" });
  const times: number[] = [];
  for (let i = 0; i < SAVES; i++) {
    await event.click();
    await save.click({ trial: true }); // waits until Save is enabled, without clicking
    times.push(
      await save.evaluate(
        (button: HTMLButtonElement) =>
          new Promise<number>((resolve) => {
            // Save's own status line (the form has others, e.g. the URL trial's).
            const status = button.parentElement?.querySelector(':scope > [role="status"]');
            if (!status) throw new Error("the form has no status line");
            let cleared = status.textContent !== "Webhook saved";
            const start = performance.now();
            new MutationObserver((_, observer) => {
              if (status.textContent !== "Webhook saved") cleared = true;
              else if (cleared) {
                observer.disconnect();
                resolve(performance.now() - start);
              }
            }).observe(status, { childList: true, characterData: true, subtree: true });
            button.click();
          }),
      ),
    );
  }
  await close();
  return times;
}

export async function benchBrowser(target: Target): Promise<string[]> {
  const browser = await chromium.launch(chromiumLaunchOptions);
  try {
    const edit = await coldLoads(
      browser,
      target,
      `/webhooks/${target.webhookId}`,
      { selector: 'input[type="url"]', value: target.storedUrl },
      "form",
    );
    const list = await coldLoads(browser, target, "/webhooks", { selector: "table tbody tr" }, "table");
    // The pages' floor: signed out, the sign-in page carries little but the framework's own script.
    const signIn = await coldLoads(
      browser,
      { ...target, sessionToken: "" },
      "/login",
      { selector: 'input[type="email"]' },
      "form",
    );
    const saveTimes = await saves(browser, target);
    const ms = (value: number) => `${value.toFixed(0)} ms`;
    return [
      `Edit page, cold load (median of ${COLD_LOADS}): stored URL shown ${ms(edit.shown)} after navigation, form interactive (hydrated) ${ms(edit.interactive)}`,
      `List page, cold load (median of ${COLD_LOADS}): rows shown ${ms(list.shown)}, interactive (hydrated) ${ms(list.interactive)}`,
      `Sign-in page, signed out (the framework's floor), cold load (median of ${COLD_LOADS}): form shown ${ms(signIn.shown)}, interactive (hydrated) ${ms(signIn.interactive)}`,
      `Save → "Webhook saved" (${SAVES} saves): p50 ${ms(percentile(saveTimes, 50))}, p95 ${ms(percentile(saveTimes, 95))}`,
    ];
  } finally {
    await browser.close();
  }
}
