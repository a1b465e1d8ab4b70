using EnaRemediate.Cli;

return await CliApp.RunAsync(args);
