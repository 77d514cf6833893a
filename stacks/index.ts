// Pulumi entry point. CommonJS programs are run only when module.exports is the function itself.
import { main } from "./main";

export = main;
