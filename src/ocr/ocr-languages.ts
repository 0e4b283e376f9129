// Language tags as subtitle tracks carry them (ISO 639-2 in Matroska: eng, chi, zho; BCP 47 elsewhere:
// en, zh-Hans, cmn) reduced to the base language an OCR model is chosen by.
const ALIASES: Record<string, string> = {
  eng: "en",
  chi: "zh",
  zho: "zh",
  cmn: "zh",
  yue: "zh",
  fre: "fr",
  fra: "fr",
  ger: "de",
  deu: "de",
  spa: "es",
  ita: "it",
  por: "pt",
  jpn: "ja",
  kor: "ko",
  rus: "ru",
  ara: "ar",
};

/** "zh-Hans" → "zh", "eng" → "en"; "und" and empty tags → undefined (unknown) */
export function baseLanguage(tag: string | undefined): string {
  const base = (tag ?? "").trim().toLowerCase().split(/[-_]/)[0] ?? "";
  return ALIASES[base] ?? base;
}

export function isUnknownLanguage(tag: string | undefined): boolean {
  const base = baseLanguage(tag);
  return base === "" || base === "und" || base === "mul" || base === "zxx";
}
