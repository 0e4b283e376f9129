-- CreateTable
CREATE TABLE "EmbeddingCache" (
    "modelId" TEXT NOT NULL,
    "textHash" TEXT NOT NULL,
    "vector" BLOB NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,

    PRIMARY KEY ("modelId", "textHash")
);
