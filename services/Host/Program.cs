using TicketToken.BuildingBlocks.Hosting;
using TicketToken.BuildingBlocks.Workflows.Admin;
using TicketToken.Host;

// `TicketToken.Host workflows ...` steers a running host's workflows (docs/operations.md) instead of serving.
if (args is ["workflows", .. var command])
{
    return await WorkflowCommand.RunAsync(command, Console.Out, Console.Error);
}

var builder = WebApplication.CreateBuilder(args);
builder.AddTicketToken(HostModules.All());

var app = builder.Build();
app.MapTicketToken();
await app.RunAsync();
return 0;
