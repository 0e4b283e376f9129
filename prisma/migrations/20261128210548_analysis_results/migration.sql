-- CreateTable
CREATE TABLE "AnalysisResult" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "kind" TEXT NOT NULL,
    "scopeHash" TEXT NOT NULL,
    "inputKey" TEXT NOT NULL,
    "clipIds" TEXT NOT NULL,
    "parameters" TEXT NOT NULL,
    "models" TEXT NOT NULL,
    "codeVersion" TEXT NOT NULL,
    "result" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateIndex
CREATE UNIQUE INDEX "AnalysisResult_inputKey_key" ON "AnalysisResult"("inputKey");

-- CreateIndex
CREATE INDEX "AnalysisResult_kind_scopeHash_idx" ON "AnalysisResult"("kind", "scopeHash");
