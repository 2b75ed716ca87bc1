using TicketToken.BuildingBlocks.Hosting;
using TicketToken.Host;

var builder = WebApplication.CreateBuilder(args);
builder.AddTicketToken(HostModules.All());

var app = builder.Build();
app.MapTicketToken();
await app.RunAsync();
