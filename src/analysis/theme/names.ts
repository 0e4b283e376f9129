// Character names in dialogue, so that a discovered theme is never a name ("scales" in Sintel): the
// speakers the subtitles name, and capitalised words that never occur in lower case and, at least once,
// stand where only a name stands: alone as a whole line ("Scales?"), or capitalised after a comma or
// mid-sentence ("Good night, Scales."). Returned lower-cased, as the keyword extractor spells terms.
const WORD = /\p{Lu}[\p{Ll}'’-]+/gu;

export function characterNames(lines: string[], speakers: Array<string | null> = []): Set<string> {
  const names = new Set(speakers.flatMap((s) => (s ? s.toLowerCase().split(/\s+/) : [])).filter((s) => s.length > 1));
  const lower = new Set<string>();
  const nameLike = new Set<string>();
  for (const line of lines) {
    for (const w of line.match(/(?<!\p{L})\p{Ll}[\p{Ll}'’-]*/gu) ?? []) lower.add(w);
    const alone = /^\s*(\p{Lu}[\p{Ll}'’-]+)\s*[.!?…]*\s*$/u.exec(line);
    if (alone) nameLike.add(alone[1]!.toLowerCase());
    for (const m of line.matchAll(WORD)) {
      const before = line.slice(0, m.index).trimEnd();
      if (before && !/[.!?…"“]$/.test(before)) nameLike.add(m[0].toLowerCase());
    }
  }
  for (const w of nameLike) if (!lower.has(w) && w.length > 1 && w !== "i") names.add(w);
  return names;
}
