using TicketToken.BuildingBlocks.Hosting;
using TicketToken.Runtime.ConformanceHost;

var builder = WebApplication.CreateBuilder(args);
builder.AddTicketToken([new ConformanceModule(), new PeerModule()]);
var app = builder.Build();
app.MapTicketToken();
await app.RunAsync();
