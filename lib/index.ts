/**
 * spikegrad: exact, smooth gradient descent for spiking neural networks
 * (Klos & Memmesheimer, Phys. Rev. Lett. 134, 027301, 2025; arXiv 2309.14523).
 */
export { version } from './version';
export { bindingPath } from './native';
export type { SpikegradErrorCode, CodedError } from './errors';
export { simulate, simulateAsync, checkTrialSpec, EventKind } from './simulate';
export type { ModelName, ModelParams, TrialSpec, SimulateOptions, TrialResult, TrialGradient } from './simulate';
export * from './neurons';
export { Network, RecordedBatch, PARAMETER_NAMES } from './network';
export type {
  NetworkStructure,
  Parameters,
  ParameterName,
  Trainable,
  Gradients,
  NetworkOutput,
  RunOptions,
  SynapseList,
  NetworkJSON,
} from './network';
export * from './topology';
export { spikeBatch, repeatBatch, mergeBatches, selectSamples } from './inputs';
export type { InputBatch, SampleSpikes } from './inputs';
export { ttfsBatch, ttfsTimes } from './encoding';
export type { TtfsOptions } from './encoding';
export { Random } from './random';
export { imageDataset, spikeDataset, fixedDataset } from './dataset';
export type { Dataset, BatchContext, ImageDatasetOptions } from './dataset';
export * from './losses';
export * from './optim';
export { Trainer } from './trainer';
export type { TrainerOptions, FitOptions, FitResult, Metrics, BatchInfo, EpochInfo } from './trainer';
export { saveModel, loadModel, parseModel, writeFileAtomic, MODEL_FORMAT, MODEL_VERSION } from './serialize';
export type { ModelFile, LoadedModel, TrainingState } from './serialize';
export { loadBundledDigits, splitImages, subsetImages } from './data/digits';
export type { ImageSet } from './data/digits';
export { readIdx, readIdxImages, loadIdxDataset } from './data/idx';
export type { IdxType, IdxTensor, IdxImageSet } from './data/idx';
export { yinYang, yinYangClass, yinYangSpikes, YIN_YANG_SPLITS, YIN_YANG_CLASSES } from './data/yinyang';
export type { YinYangOptions, YinYangSet, YinYangSpikeOptions } from './data/yinyang';
export * from './report';
