export { type EarlyStoppingServiceOptions, KatibEarlyStoppingService } from './earlyStoppingService.ts';
export { katibProtoPath, loadKatibServices, protoLoaderOptions } from './loadProto.ts';
export { type ServeOptions, serveUntilAborted } from './serve.ts';
export {
  defaultSuggestionPort,
  type SuggestionServer,
  type SuggestionServerOptions,
  startSuggestionServer,
} from './server.ts';
export { stateSetting } from './state.ts';
export { KatibSuggestionService, type SuggestionServiceOptions } from './suggestionService.ts';
export { katibSuggestionDataDir } from './suggestionVolume.ts';
