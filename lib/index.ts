/**
 * spikegrad: exact, smooth gradient descent for spiking neural networks
 * (Klos & Memmesheimer, Phys. Rev. Lett. 134, 027301, 2025; arXiv 2309.14523).
 */
export { version } from './base/version';
export { bindingPath, backend } from './base/native';
export type { Backend } from './base/native';
export type { SpikegradErrorCode, CodedError } from './base/errors';
export { simulate, simulateAsync, checkTrialSpec, EventKind } from './trial/simulate';
export type { ModelName, ModelParams, TrialSpec, SimulateOptions, TrialResult, TrialGradient } from './trial/simulate';
export * from './neurons';
export { Network, RecordedBatch, PARAMETER_NAMES } from './network/network';
export { checkOutputBatch, outputBatch } from './network/output';
export type { OutputBatch } from './network/output';
export type {
  NetworkStructure,
  EngineOption,
  Parameters,
  ParameterName,
  Trainable,
  Gradients,
  NetworkOutput,
  RunOptions,
  SynapseList,
  NetworkJSON,
} from './network/network';
export * from './topology';
export { spikeBatch, repeatBatch, mergeBatches, selectSamples } from './network/inputs';
export type { InputBatch, SampleSpikes } from './network/inputs';
export { ttfsBatch, ttfsTimes } from './data/ttfs';
export type { TtfsOptions } from './data/ttfs';
export type { InputEncoding, ImageEncoding, SpikeEncoding } from './network/encoding';
export type { Prediction, PredictOptions } from './network/predict';
export { Random } from './base/random';
export { imageDataset, spikeDataset, fixedDataset } from './data/datasets';
export type { Dataset, BatchContext, ImageDatasetOptions, SpikeDatasetOptions } from './data/datasets';
export * from './training/losses';
export * from './training/optim';
export { Trainer } from './training/trainer';
export type { TrainerOptions, FitOptions, FitResult, Metrics, BatchInfo, EpochInfo, BestState, SelectionMetric } from './training/trainer';
export { Progress, formatDuration } from './training/progress';
export type { ProgressOptions } from './training/progress';
export { saveModel, saveModelAsync, loadModel, loadModelAsync, parseModel } from './training/checkpoint';
export { MODEL_FORMAT, MODEL_VERSION, MODEL_VERSIONS_READ } from './network/model_file';
export { writeFileAtomic, writeFileAtomicAsync } from './base/files';
export type { ModelFile, LoadedModel, TrainingState, SaveModelOptions } from './training/checkpoint';
export { loadBundledDigits, splitImages, subsetImages } from './data/digits';
export type { ImageSet } from './data/digits';
export { readIdx, readIdxImages, loadIdxDataset } from './data/idx';
export type { IdxType, IdxTensor, IdxImageSet } from './data/idx';
export { downloadDataset } from './data/download';
export type { DownloadOptions, DownloadResult, DownloadedFile, DownloadError, ProgressStream } from './data/download';
export { DATASETS, DATASET_NAMES } from './data/sources';
export { CLASS_NAMES, identifyDataset, classNamesOf } from './data/classes';
export type { DatasetName, DatasetSource, IdxFileSpec } from './data/sources';
export { yinYang, yinYangClass, yinYangSpikes, YIN_YANG_SPLITS, YIN_YANG_CLASSES } from './data/yinyang';
export type { YinYangOptions, YinYangSet, YinYangSpikeOptions } from './data/yinyang';
export * from './report';
