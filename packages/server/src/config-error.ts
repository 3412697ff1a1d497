/** A flag or variable with a bad value: start-up stops with this message, which names it. */
export class ConfigError extends Error {}
