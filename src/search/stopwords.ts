// English function words that would otherwise make every text look alike: dropped from keyword queries
// (when the query has other words) and from the hashing embedder's features. Deliberately short.
export const ENGLISH_STOPWORDS: ReadonlySet<string> = new Set(
  (
    "a an and are as at be been but by do does did for from had has have he her him his i if in into is it its " +
    "me my no not of on or our she so than that the their them then there these they this to too was we were " +
    "what when where which who why will with you your"
  ).split(" "),
);
