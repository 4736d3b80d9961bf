/** Built-in (inner_define) and custom (user_define) commands. */
export * from './inner-commands.js';
export * from './user-command.js';
export * from './load-command-handler.js';
