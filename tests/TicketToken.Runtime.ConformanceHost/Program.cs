using TicketToken.BuildingBlocks.Hosting;
using TicketToken.Runtime.ConformanceHost;

var builder = WebApplication.CreateBuilder(args);
builder.AddTicketToken([new ConformanceModule()]);
var app = builder.Build();
app.MapTicketToken();
await app.RunAsync();
