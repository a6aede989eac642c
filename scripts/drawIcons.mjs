#!/usr/bin/env node
// node scripts/drawIcons.mjs: draws the Teams app icons in manifest/ (deterministic: the same PNGs every run).
//   color.png    192x192: a white speech bubble holding a teal check mark, on ChannelCheck's teal.
//   outline.png  32x32: the same bubble and check as a white outline on a transparent background.
// Shapes are signed distance functions, sampled 4x4 per pixel for smooth edges.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PNG } from 'pngjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const TEAL = [0x00, 0x6e, 0x78];
const WHITE = [0xff, 0xff, 0xff];
const SAMPLES = 4;

/** Distance from (x, y) to a rounded rectangle (negative inside). */
function roundedRect(x, y, [x0, y0, x1, y1], r) {
  const cx = (x0 + x1) / 2;
  const cy = (y0 + y1) / 2;
  const qx = Math.abs(x - cx) - ((x1 - x0) / 2 - r);
  const qy = Math.abs(y - cy) - ((y1 - y0) / 2 - r);
  return Math.hypot(Math.max(qx, 0), Math.max(qy, 0)) + Math.min(Math.max(qx, qy), 0) - r;
}

/** Distance from (x, y) to a triangle (negative inside). */
function triangle(x, y, [[ax, ay], [bx, by], [cx, cy]]) {
  const edges = [[ax, ay, bx, by], [bx, by, cx, cy], [cx, cy, ax, ay]];
  let d = Infinity;
  let sign = 0;
  for (const [px, py, qx, qy] of edges) {
    const ex = qx - px, ey = qy - py, wx = x - px, wy = y - py;
    const t = Math.max(0, Math.min(1, (wx * ex + wy * ey) / (ex * ex + ey * ey)));
    d = Math.min(d, Math.hypot(wx - ex * t, wy - ey * t));
    sign += Math.sign(ex * wy - ey * wx);
  }
  return Math.abs(sign) === 3 ? -d : d;
}

/** Distance from (x, y) to a polyline of round-capped segments. */
function polyline(x, y, points) {
  let d = Infinity;
  for (let i = 0; i + 1 < points.length; i++) {
    const [px, py] = points[i], [qx, qy] = points[i + 1];
    const ex = qx - px, ey = qy - py, wx = x - px, wy = y - py;
    const t = Math.max(0, Math.min(1, (wx * ex + wy * ey) / (ex * ex + ey * ey)));
    d = Math.min(d, Math.hypot(wx - ex * t, wy - ey * t));
  }
  return d;
}

/** Renders `shade(x, y)` → [r, g, b, a] (0..1 alpha) with supersampling; colours are mixed premultiplied. */
function render(size, shade) {
  const png = new PNG({ width: size, height: size, colorType: 6 });
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      let r = 0, g = 0, b = 0, a = 0;
      for (let sy = 0; sy < SAMPLES; sy++) {
        for (let sx = 0; sx < SAMPLES; sx++) {
          const [cr, cg, cb, ca] = shade(px + (sx + 0.5) / SAMPLES, py + (sy + 0.5) / SAMPLES);
          r += cr * ca; g += cg * ca; b += cb * ca; a += ca;
        }
      }
      const i = (py * size + px) * 4;
      const n = SAMPLES * SAMPLES;
      png.data[i] = a > 0 ? Math.round(r / a) : 255;
      png.data[i + 1] = a > 0 ? Math.round(g / a) : 255;
      png.data[i + 2] = a > 0 ? Math.round(b / a) : 255;
      png.data[i + 3] = Math.round((a / n) * 255);
    }
  }
  return PNG.sync.write(png, { colorType: 6 });
}

/** The bubble (body and tail) and the check, in a 32-unit design grid scaled to `size`. */
function shapes(size) {
  const k = size / 32;
  const body = [4.5 * k, 5.5 * k, 27.5 * k, 22.5 * k];
  const tail = [[9 * k, 20 * k], [15 * k, 20 * k], [8 * k, 27.5 * k]];
  const check = [[10.5 * k, 14 * k], [14.2 * k, 17.6 * k], [21.5 * k, 10.2 * k]];
  return {
    bubble: (x, y) => Math.min(roundedRect(x, y, body, 4.5 * k), triangle(x, y, tail)),
    check: (x, y) => polyline(x, y, check),
  };
}

export function drawColorIcon() {
  const size = 192;
  const { bubble, check } = shapes(size);
  const k = size / 32;
  return render(size, (x, y) => {
    if (check(x, y) < 1.35 * k) return [...TEAL, 1];
    if (bubble(x, y) < 0) return [...WHITE, 1];
    return [...TEAL, 1];
  });
}

export function drawOutlineIcon() {
  const size = 32;
  const { bubble, check } = shapes(size);
  return render(size, (x, y) => {
    const onOutline = Math.abs(bubble(x, y)) < 1;
    const onCheck = check(x, y) < 1.25;
    return [...WHITE, onOutline || onCheck ? 1 : 0];
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  fs.writeFileSync(path.join(root, 'manifest/color.png'), drawColorIcon());
  fs.writeFileSync(path.join(root, 'manifest/outline.png'), drawOutlineIcon());
  process.stdout.write('wrote manifest/color.png (192x192) and manifest/outline.png (32x32)\n');
}
