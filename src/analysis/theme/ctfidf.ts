// Class-based TF-IDF (as BERTopic): all documents of a cluster form one class; a term's weight in a class
// is its frequency in the class (normalised by the class's length) times log(1 + A / f), where A is the
// average number of words per class and f the term's frequency over all classes. Words through
// Intl.Segmenter (CJK-aware), stop words dropped.
import { contentWords } from "../text.js";

export function classTfIdf(
  classes: string[][],
  top = 8,
  locale?: string,
  /** terms never to return (character names: a theme is not a name) */
  exclude: ReadonlySet<string> = new Set(),
): Array<Array<{ term: string; weight: number }>> {
  const counts = classes.map((docs) => {
    const m = new Map<string, number>();
    for (const d of docs)
      for (const w of contentWords(d, locale)) if (!exclude.has(w.toLowerCase())) m.set(w, (m.get(w) ?? 0) + 1);
    return m;
  });
  const totals = counts.map((m) => [...m.values()].reduce((a, b) => a + b, 0));
  const avg = totals.reduce((a, b) => a + b, 0) / Math.max(1, classes.length);
  const freq = new Map<string, number>();
  for (const m of counts) for (const [t, c] of m) freq.set(t, (freq.get(t) ?? 0) + c);
  return counts.map((m, i) => {
    const total = totals[i] || 1;
    return [...m.entries()]
      .map(([term, c]) => ({ term, weight: (c / total) * Math.log(1 + avg / freq.get(term)!) }))
      .sort((a, b) => b.weight - a.weight || a.term.localeCompare(b.term))
      .slice(0, top)
      .map((x) => ({ term: x.term, weight: Math.round(x.weight * 10000) / 10000 }));
  });
}
