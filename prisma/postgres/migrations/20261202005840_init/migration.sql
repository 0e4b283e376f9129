-- CreateTable
CREATE TABLE "Clip" (
    "id" TEXT NOT NULL,
    "contentHash" TEXT NOT NULL,
    "path" TEXT NOT NULL,
    "title" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'INGESTING',
    "error" TEXT,
    "sizeBytes" BIGINT NOT NULL,
    "formatName" TEXT NOT NULL,
    "duration" DOUBLE PRECISION NOT NULL,
    "startTime" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "frameRate" DOUBLE PRECISION NOT NULL,
    "variableFrameRate" BOOLEAN NOT NULL DEFAULT false,
    "width" INTEGER NOT NULL,
    "height" INTEGER NOT NULL,
    "streams" TEXT NOT NULL DEFAULT '[]',
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    "readyAt" TIMESTAMP(3),

    CONSTRAINT "Clip_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "SubtitleTrack" (
    "id" TEXT NOT NULL,
    "clipId" TEXT NOT NULL,
    "index" INTEGER NOT NULL,
    "source" TEXT NOT NULL,
    "streamIndex" INTEGER,
    "path" TEXT,
    "codec" TEXT NOT NULL,
    "language" TEXT,
    "title" TEXT,
    "encoding" TEXT,
    "imageBased" BOOLEAN NOT NULL DEFAULT false,
    "skipped" BOOLEAN NOT NULL DEFAULT false,
    "warnings" TEXT NOT NULL DEFAULT '[]',

    CONSTRAINT "SubtitleTrack_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Cue" (
    "id" TEXT NOT NULL,
    "clipId" TEXT NOT NULL,
    "trackId" TEXT NOT NULL,
    "sceneId" TEXT,
    "index" INTEGER NOT NULL,
    "startTime" DOUBLE PRECISION NOT NULL,
    "endTime" DOUBLE PRECISION NOT NULL,
    "rawText" TEXT NOT NULL,
    "text" TEXT NOT NULL,
    "speaker" TEXT,

    CONSTRAINT "Cue_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Shot" (
    "id" TEXT NOT NULL,
    "clipId" TEXT NOT NULL,
    "sceneId" TEXT,
    "index" INTEGER NOT NULL,
    "startTime" DOUBLE PRECISION NOT NULL,
    "endTime" DOUBLE PRECISION NOT NULL,
    "startFrame" INTEGER NOT NULL,
    "endFrame" INTEGER NOT NULL,
    "transition" TEXT NOT NULL,
    "transitionStart" DOUBLE PRECISION,

    CONSTRAINT "Shot_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Keyframe" (
    "id" TEXT NOT NULL,
    "clipId" TEXT NOT NULL,
    "shotId" TEXT NOT NULL,
    "time" DOUBLE PRECISION NOT NULL,
    "path" TEXT NOT NULL,
    "width" INTEGER NOT NULL,
    "height" INTEGER NOT NULL,
    "brightness" DOUBLE PRECISION NOT NULL,
    "contrast" DOUBLE PRECISION NOT NULL,
    "saturation" DOUBLE PRECISION NOT NULL,
    "colourfulness" DOUBLE PRECISION NOT NULL,
    "palette" TEXT NOT NULL,

    CONSTRAINT "Keyframe_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Scene" (
    "id" TEXT NOT NULL,
    "clipId" TEXT NOT NULL,
    "index" INTEGER NOT NULL,
    "startTime" DOUBLE PRECISION NOT NULL,
    "endTime" DOUBLE PRECISION NOT NULL,
    "text" TEXT NOT NULL DEFAULT '',

    CONSTRAINT "Scene_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "IngestCheckpoint" (
    "clipId" TEXT NOT NULL,
    "stage" TEXT NOT NULL,
    "data" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "IngestCheckpoint_pkey" PRIMARY KEY ("clipId","stage")
);

-- CreateTable
CREATE TABLE "Job" (
    "id" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'QUEUED',
    "stage" TEXT,
    "percent" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "message" TEXT,
    "input" TEXT NOT NULL DEFAULT '{}',
    "clipId" TEXT,
    "error" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    "finishedAt" TIMESTAMP(3),

    CONSTRAINT "Job_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "SearchOutbox" (
    "id" SERIAL NOT NULL,
    "op" TEXT NOT NULL,
    "sceneId" TEXT NOT NULL,
    "clipId" TEXT NOT NULL,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "lastError" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "availableAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "SearchOutbox_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "EmbeddingCache" (
    "modelId" TEXT NOT NULL,
    "textHash" TEXT NOT NULL,
    "vector" BYTEA NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "EmbeddingCache_pkey" PRIMARY KEY ("modelId","textHash")
);

-- CreateTable
CREATE TABLE "CueEmotion" (
    "cueId" TEXT NOT NULL,
    "clipId" TEXT NOT NULL,
    "model" TEXT NOT NULL,
    "method" TEXT NOT NULL,
    "label" TEXT NOT NULL,
    "scores" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "CueEmotion_pkey" PRIMARY KEY ("cueId","model")
);

-- CreateTable
CREATE TABLE "KeyframeCaption" (
    "keyframeId" TEXT NOT NULL,
    "clipId" TEXT NOT NULL,
    "model" TEXT NOT NULL,
    "method" TEXT NOT NULL,
    "text" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "KeyframeCaption_pkey" PRIMARY KEY ("keyframeId","model")
);

-- CreateTable
CREATE TABLE "KeyframeVector" (
    "keyframeId" TEXT NOT NULL,
    "clipId" TEXT NOT NULL,
    "model" TEXT NOT NULL,
    "dimension" INTEGER NOT NULL,
    "vector" BYTEA NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "KeyframeVector_pkey" PRIMARY KEY ("keyframeId","model")
);

-- CreateTable
CREATE TABLE "AnalysisResult" (
    "id" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "scopeHash" TEXT NOT NULL,
    "inputKey" TEXT NOT NULL,
    "clipIds" TEXT NOT NULL,
    "parameters" TEXT NOT NULL,
    "models" TEXT NOT NULL,
    "codeVersion" TEXT NOT NULL,
    "result" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "AnalysisResult_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "Clip_contentHash_key" ON "Clip"("contentHash");

-- CreateIndex
CREATE INDEX "Clip_status_idx" ON "Clip"("status");

-- CreateIndex
CREATE UNIQUE INDEX "SubtitleTrack_clipId_index_key" ON "SubtitleTrack"("clipId", "index");

-- CreateIndex
CREATE INDEX "Cue_clipId_startTime_idx" ON "Cue"("clipId", "startTime");

-- CreateIndex
CREATE INDEX "Cue_sceneId_idx" ON "Cue"("sceneId");

-- CreateIndex
CREATE UNIQUE INDEX "Cue_trackId_index_key" ON "Cue"("trackId", "index");

-- CreateIndex
CREATE INDEX "Shot_sceneId_idx" ON "Shot"("sceneId");

-- CreateIndex
CREATE UNIQUE INDEX "Shot_clipId_index_key" ON "Shot"("clipId", "index");

-- CreateIndex
CREATE UNIQUE INDEX "Keyframe_shotId_key" ON "Keyframe"("shotId");

-- CreateIndex
CREATE INDEX "Keyframe_clipId_time_idx" ON "Keyframe"("clipId", "time");

-- CreateIndex
CREATE UNIQUE INDEX "Scene_clipId_index_key" ON "Scene"("clipId", "index");

-- CreateIndex
CREATE INDEX "Job_status_idx" ON "Job"("status");

-- CreateIndex
CREATE INDEX "SearchOutbox_availableAt_idx" ON "SearchOutbox"("availableAt");

-- CreateIndex
CREATE INDEX "CueEmotion_clipId_model_idx" ON "CueEmotion"("clipId", "model");

-- CreateIndex
CREATE INDEX "KeyframeCaption_clipId_model_idx" ON "KeyframeCaption"("clipId", "model");

-- CreateIndex
CREATE INDEX "KeyframeVector_clipId_model_idx" ON "KeyframeVector"("clipId", "model");

-- CreateIndex
CREATE UNIQUE INDEX "AnalysisResult_inputKey_key" ON "AnalysisResult"("inputKey");

-- CreateIndex
CREATE INDEX "AnalysisResult_kind_scopeHash_idx" ON "AnalysisResult"("kind", "scopeHash");

-- AddForeignKey
ALTER TABLE "SubtitleTrack" ADD CONSTRAINT "SubtitleTrack_clipId_fkey" FOREIGN KEY ("clipId") REFERENCES "Clip"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Cue" ADD CONSTRAINT "Cue_clipId_fkey" FOREIGN KEY ("clipId") REFERENCES "Clip"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Cue" ADD CONSTRAINT "Cue_trackId_fkey" FOREIGN KEY ("trackId") REFERENCES "SubtitleTrack"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Cue" ADD CONSTRAINT "Cue_sceneId_fkey" FOREIGN KEY ("sceneId") REFERENCES "Scene"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Shot" ADD CONSTRAINT "Shot_clipId_fkey" FOREIGN KEY ("clipId") REFERENCES "Clip"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Shot" ADD CONSTRAINT "Shot_sceneId_fkey" FOREIGN KEY ("sceneId") REFERENCES "Scene"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Keyframe" ADD CONSTRAINT "Keyframe_clipId_fkey" FOREIGN KEY ("clipId") REFERENCES "Clip"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Keyframe" ADD CONSTRAINT "Keyframe_shotId_fkey" FOREIGN KEY ("shotId") REFERENCES "Shot"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Scene" ADD CONSTRAINT "Scene_clipId_fkey" FOREIGN KEY ("clipId") REFERENCES "Clip"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "IngestCheckpoint" ADD CONSTRAINT "IngestCheckpoint_clipId_fkey" FOREIGN KEY ("clipId") REFERENCES "Clip"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "CueEmotion" ADD CONSTRAINT "CueEmotion_cueId_fkey" FOREIGN KEY ("cueId") REFERENCES "Cue"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "KeyframeCaption" ADD CONSTRAINT "KeyframeCaption_keyframeId_fkey" FOREIGN KEY ("keyframeId") REFERENCES "Keyframe"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "KeyframeVector" ADD CONSTRAINT "KeyframeVector_keyframeId_fkey" FOREIGN KEY ("keyframeId") REFERENCES "Keyframe"("id") ON DELETE CASCADE ON UPDATE CASCADE;
