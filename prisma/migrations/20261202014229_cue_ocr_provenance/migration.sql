-- AlterTable
ALTER TABLE "Cue" ADD COLUMN "ocrConfidence" REAL;
ALTER TABLE "Cue" ADD COLUMN "ocrEngine" TEXT;
ALTER TABLE "Cue" ADD COLUMN "ocrModel" TEXT;
