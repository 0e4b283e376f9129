// Boxes of text from a detector's probability map, and boxes grouped into lines of text.
import type { Box } from "./ocr.port.js";

/**
 * Connected regions of `map` above `threshold` (4-connected), kept when their mean probability reaches
 * `boxThreshold`, each grown by DB's unclip distance (area * ratio / perimeter) since the detector marks a
 * shrunk kernel of the text.
 */
export function textComponents(
  map: Float32Array,
  width: number,
  height: number,
  threshold: number,
  boxThreshold: number,
  unclipRatio: number,
): Box[] {
  const label = new Int32Array(width * height);
  const stack: number[] = [];
  const boxes: Box[] = [];
  let next = 0;
  for (let start = 0; start < map.length; start++) {
    if (label[start] !== 0 || map[start]! < threshold) continue;
    next++;
    label[start] = next;
    stack.push(start);
    let minX = width;
    let minY = height;
    let maxX = -1;
    let maxY = -1;
    let sum = 0;
    let area = 0;
    while (stack.length > 0) {
      const i = stack.pop()!;
      const x = i % width;
      const y = (i - x) / width;
      if (x < minX) minX = x;
      if (x > maxX) maxX = x;
      if (y < minY) minY = y;
      if (y > maxY) maxY = y;
      sum += map[i]!;
      area++;
      const neighbours = [
        x > 0 ? i - 1 : -1,
        x < width - 1 ? i + 1 : -1,
        y > 0 ? i - width : -1,
        y < height - 1 ? i + width : -1,
      ];
      for (const j of neighbours)
        if (j >= 0 && label[j] === 0 && map[j]! >= threshold) {
          label[j] = next;
          stack.push(j);
        }
    }
    const w = maxX - minX + 1;
    const h = maxY - minY + 1;
    if (area < 6 || h < 2 || sum / area < boxThreshold) continue;
    const grow = (w * h * unclipRatio) / (2 * (w + h));
    boxes.push({ x: minX - grow, y: minY - grow, width: w + 2 * grow, height: h + 2 * grow });
  }
  return boxes;
}

/** boxes that share most of their height are one line; lines top to bottom */
export function groupIntoLines(boxes: Box[]): Box[] {
  const sorted = [...boxes].sort((a, b) => a.y + a.height / 2 - (b.y + b.height / 2));
  const lines: Box[] = [];
  for (const box of sorted) {
    const line = lines.find((l) => verticalOverlap(l, box) > 0.5 * Math.min(l.height, box.height));
    if (!line) {
      lines.push({ ...box });
      continue;
    }
    const right = Math.max(line.x + line.width, box.x + box.width);
    const bottom = Math.max(line.y + line.height, box.y + box.height);
    line.x = Math.min(line.x, box.x);
    line.y = Math.min(line.y, box.y);
    line.width = right - line.x;
    line.height = bottom - line.y;
  }
  return lines.sort((a, b) => a.y - b.y);
}

function verticalOverlap(a: Box, b: Box): number {
  return Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
}
