/** `code` values of the PluginErrors the loader and registry raise (stable, for callers and tests). */
export const PluginErrorCode = {
  /** The module named in `plugins` cannot be resolved. */
  NotFound: 'PLUGIN_NOT_FOUND',
  /** The module was found but importing it threw. */
  LoadFailed: 'PLUGIN_LOAD_FAILED',
  /** The module's export is not a Plugin (the message lists each missing or wrong field). */
  NotAPlugin: 'PLUGIN_INVALID',
  /** `coreApi` does not accept this core's CORE_API_VERSION. */
  ApiIncompatible: 'PLUGIN_API_INCOMPATIBLE',
  /** Two plugins share a name. */
  DuplicateName: 'PLUGIN_DUPLICATE',
  /** The plugin's name is a core config key (its settings would collide with core's). */
  ReservedName: 'PLUGIN_NAME_RESERVED',
  /** The plugin's configSchema fragment is not a valid convict schema. */
  SchemaInvalid: 'PLUGIN_SCHEMA_INVALID',
  /** register() threw or rejected. */
  RegisterFailed: 'PLUGIN_REGISTER_FAILED',
  /** A zone or transport definition is malformed. */
  InvalidDefinition: 'PLUGIN_INVALID_DEFINITION',
  /** A transport name is registered twice. */
  DuplicateTransport: 'TRANSPORT_DUPLICATE',
  /** A transport serves a zone no plugin registered. */
  UnknownTransportZone: 'TRANSPORT_ZONE_UNKNOWN',
  /** Two different definitions of one zone name. */
  ZoneConflict: 'ZONE_CONFLICT',
  /** A plugin's command-line option is named like one of core's or another plugin's. */
  OptionConflict: 'PLUGIN_OPTION_CONFLICT',
  /** An RPC method name is registered twice. */
  DuplicateRpcMethod: 'RPC_METHOD_DUPLICATE',
} as const;
