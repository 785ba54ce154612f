/** The host model: host files, inference from a capture, addresses, routes and each packet's path. */
export { AddrType, type HostAddress, type HostInterface, type HostModel, type HostRoute, type IngressRule } from './host.js';
export { Host, type HostSpec, type InterfaceSpec, type RouteSpec } from './model.js';
export { loadHostFile, loadHostText, parseHostText, hostFromJson } from './hostfile.js';
export { HostError, HostErrorCodes, type HostErrorCode } from './errors.js';
export {
  PathClassifier,
  createClassifier,
  type ClassifierOptions,
  type Deliver,
  type PathDecision,
  type PathKind,
  type PlacedBy,
  type RecordMeta,
} from './path.js';
export { HostInferrer, inferHost, inferHostFromCapture, parseLocalIps, INFER_THRESHOLD, type HostInference, type InferOptions } from './infer.js';
export { SYSCTL_DEFAULTS, KERNEL_RELEASE } from './sysctl-defaults.js';
