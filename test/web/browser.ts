/**
 * Headless Chromium (Debian's /usr/bin/chromium, driven by playwright-core) for the chart-page tests, and pixel
 * reading from real screenshots: the PNG is decoded by the browser itself, so no image library is needed.
 */
import { chromium, type Browser, type Page } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export async function launch(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-dev-shm-usage'],
  });
}

/** Two animation frames: lightweight-charts paints on the next frame after a change. */
export const nextPaint = (page: Page) =>
  page.evaluate(() => new Promise<void>((r) => requestAnimationFrame(() => requestAnimationFrame(() => r()))));

/** What the overlay last painted, in chart-element px (a plain copy). */
export const drawnOn = (page: Page) =>
  page.evaluate(() => JSON.parse(JSON.stringify(window.__chan.drawn)) as typeof window.__chan.drawn);

/** Waits until the page has loaded its first series (or shown its empty state). */
export const pageReady = (page: Page) =>
  page.waitForFunction(() => window.__chan?.ready && !window.__chan.loading, null, { timeout: 90_000 });

export type Rgb = [number, number, number];

export const hex = (h: string): Rgb => [
  parseInt(h.slice(1, 3), 16),
  parseInt(h.slice(3, 5), 16),
  parseInt(h.slice(5, 7), 16),
];

/** `rgba(r,g,b,a)` painted over white. */
export function overWhite(r: number, g: number, b: number, a: number): Rgb {
  return [r, g, b].map((c) => Math.round(c * a + 255 * (1 - a))) as Rgb;
}

export const near = (p: Rgb, q: Rgb, tol: number) =>
  Math.abs(p[0] - q[0]) <= tol && Math.abs(p[1] - q[1]) <= tol && Math.abs(p[2] - q[2]) <= tol;

export interface Shot {
  png: Buffer;
  /** Colours at the given points (chart-element CSS px, the space of `window.__chan.toPixel`). */
  read(points: [number, number][]): Promise<Rgb[]>;
  /** The (2r+1)² pixels around (x, y). */
  box(x: number, y: number, r: number): Promise<Rgb[]>;
  /** How many pixels of the rectangle (sampled every `step` px) are not near-white. */
  inked(x0: number, y0: number, x1: number, y1: number, step?: number): Promise<number>;
}

/**
 * Screenshot of the chart element (1:1 CSS px at device scale 1). The PNG is decoded once by the page itself and
 * kept there; reads ask for the few pixels they need.
 */
export async function chartPixels(page: Page): Promise<Shot> {
  const png = await page.locator('#chart').screenshot({ animations: 'disabled' });
  await page.evaluate(async (b64) => {
    const img = new Image();
    img.src = `data:image/png;base64,${b64}`;
    await img.decode();
    const c = document.createElement('canvas');
    c.width = img.naturalWidth;
    c.height = img.naturalHeight;
    const ctx = c.getContext('2d', { willReadFrequently: true })!;
    ctx.drawImage(img, 0, 0);
    (window as unknown as { __shot: ImageData }).__shot = ctx.getImageData(0, 0, c.width, c.height);
  }, png.toString('base64'));
  const read = (points: [number, number][]) =>
    page.evaluate((pts) => {
      const im = (window as unknown as { __shot: ImageData }).__shot;
      return pts.map(([x, y]) => {
        const i = (Math.round(y) * im.width + Math.round(x)) * 4;
        return [im.data[i]!, im.data[i + 1]!, im.data[i + 2]!] as [number, number, number];
      });
    }, points);
  return {
    png,
    read,
    box: (x, y, r) => {
      const pts: [number, number][] = [];
      for (let dy = -r; dy <= r; dy++) for (let dx = -r; dx <= r; dx++) pts.push([x + dx, y + dy]);
      return read(pts);
    },
    inked: (x0, y0, x1, y1, step = 2) =>
      page.evaluate(
        ([a, b, c, d, st]) => {
          const im = (window as unknown as { __shot: ImageData }).__shot;
          let n = 0;
          for (let y = Math.round(b); y < d; y += st)
            for (let x = Math.round(a); x < c; x += st) {
              const i = (y * im.width + x) * 4;
              if (im.data[i]! < 225 || im.data[i + 1]! < 225 || im.data[i + 2]! < 225) n++;
            }
          return n;
        },
        [x0, y0, x1, y1, step] as const,
      ),
  };
}
