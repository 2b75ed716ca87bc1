using Microsoft.AspNetCore.Mvc;
using Npgsql;
using TicketToken.BuildingBlocks.Actors;
using TicketToken.BuildingBlocks.Hosting;
using TicketToken.BuildingBlocks.PubSub;
using TicketToken.BuildingBlocks.ServiceDefaults;
using TicketToken.BuildingBlocks.Workflows;
using TicketToken.Runtime.ConformanceHost.Actors;
using TicketToken.Runtime.ConformanceHost.Data;
using TicketToken.Runtime.ConformanceHost.Subscriptions;
using TicketToken.Runtime.ConformanceHost.Workflows;

namespace TicketToken.Runtime.ConformanceHost;

/// <summary>Everything the runtime conformance suite exercises, registered the way a real module registers.</summary>
public sealed class ConformanceModule : Module
{
    public const string Id = "conformance";

    public override string AppId => Id;

    public override void Configure(ModuleBuilder module)
    {
        module.Services.Configure<ConformanceOptions>(module.Configuration.GetSection("Conformance"));
        module.Services.AddSingleton<ConformanceDb>();
        module.AddDbContext<ConformanceDbContext>(ConformanceDbContext.SchemaName)
            .AddActor<CounterActor>()
            .AddActor<ReminderActor>()
            .AddActor<TimerActor>()
            .AddActor<LifecycleActor>()
            .AddScheduledJob<TickJob>(TickJob.ActorType, TickJob.ActorId, _ => TickJob.Interval)
            .Subscribe<TestMessage, RecordMessage>(Topics.Messages)
            .Subscribe<TestMessage, AlwaysFails>(Topics.Poison)
            .Subscribe<TestMessage, RetriesTwice>(Topics.Flaky)
            .Subscribe<TestMessage, DropsEverything>(Topics.Dropped)
            .Subscribe<TestMessage, RecordDeadLetter>(Topics.Poison + ".deadletter")
            .Subscribe<TestMessage, RecordDeadLetter>(Topics.Dropped + ".deadletter")
            .AddWorkflow<ThreeStepWorkflow>()
            .AddWorkflow<RetryWorkflow>()
            .AddWorkflow<ApprovalWorkflow>()
            .AddWorkflow<TimerWorkflow>()
            .AddWorkflow<DeterministicWorkflow>()
            .AddWorkflow<WallClockWorkflow>()
            .AddWorkflow<CrashWorkflow>()
            .AddWorkflow<FanOutWorkflow>()
            .AddWorkflowActivity<RecordStep>()
            .AddWorkflowActivity<Flaky>()
            .AddWorkflowActivity<Compensate>()
            .AddWorkflowActivity<Echo>()
            .AddWorkflowActivity<CrashOnce>();
    }

    public override void MapEndpoints(IEndpointRouteBuilder endpoints)
    {
        // Test-only control surface for the crash tests, which drive a child process over HTTP.
        var group = endpoints.MapGroup("/conformance").ExcludeFromDescription().AllowAnonymous();
        group.MapPost("/publish", async (PublishRequest request, [FromKeyedServices(Id)] IEventPublisher publisher) =>
        {
            for (var i = 0; i < request.Count; i++)
            {
                await publisher.PublishEventAsync(PubSubNames.Default, request.Topic, new TestMessage(request.First + i, "crash"));
            }

            return Results.Accepted();
        });
        group.MapPost("/reminders", async (ReminderRequest request, IActorProxyFactory actors) =>
        {
            await actors.CreateActorProxy<IReminderActor>(new ActorId(request.ActorId), nameof(ReminderActor)).ScheduleAsync(request);
            return Results.Accepted();
        });
        group.MapPost("/workflows/{name}/{instanceId}", async (string name, string instanceId, [FromBody] ThreeStepInput input, [FromKeyedServices(Id)] IWorkflowClient workflows) =>
            Results.Ok(await workflows.ScheduleNewWorkflowAsync(name, instanceId, input)));
        group.MapGet("/workflows/{instanceId}", async (string instanceId, [FromKeyedServices(Id)] IWorkflowClient workflows) =>
            Results.Ok(await workflows.GetWorkflowStateAsync(instanceId)));
        // One answer of each kind the request log must report as the client got it.
        group.MapGet("/answers/{kind}", (string kind) => kind switch
        {
            "ok" => Results.Ok(new { kind }),
            "problem" => throw new ProblemException(StatusCodes.Status409Conflict, "conformance_conflict", "A problem a client can act on."),
            _ => throw new InvalidOperationException("An unexpected failure."),
        });
        group.MapGet("/echo/{text}", (string text, HttpRequest request) =>
            Results.Ok(new { text, caller = request.Headers["dapr-caller-app-id"].ToString() }));
    }
}

public sealed class ConformanceOptions
{
    /// <summary>Slows <see cref="RecordMessage"/> down so a crash test can kill the host mid-stream.</summary>
    public int HandlerDelayMs { get; set; }

    /// <summary>
    /// After this many calls in the process, <see cref="RecordMessage"/> parks every further call until the host stops
    /// (0: never), so a crash test kills a host that is certainly mid-stream, however fast or slow the machine is.
    /// </summary>
    public int HandlerParkAfter { get; set; }
}

public static class Topics
{
    public const string Messages = "conformance.messages";
    public const string Poison = "conformance.poison";
    public const string Flaky = "conformance.flaky";
    public const string Dropped = "conformance.dropped";
}

public sealed record TestMessage(int Number, string Text);

public sealed record PublishRequest(string Topic, int First, int Count);

/// <summary>Opens connections to the module's own schema for the test effects tables.</summary>
public sealed class ConformanceDb([FromKeyedServices(ConformanceModule.Id)] NpgsqlDataSource dataSource)
{
    public async Task<int> ExecuteAsync(string sql, params object?[] parameters)
    {
        await using var command = dataSource.CreateCommand(sql);
        foreach (var parameter in parameters)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = parameter ?? DBNull.Value });
        }

        return await command.ExecuteNonQueryAsync();
    }
}

/// <summary>A scheduled job that records each run where the reminder tests record their fires.</summary>
public sealed class TickJob(ConformanceDb db) : IScheduledJob
{
    public const string ActorType = "ConformanceTick";
    public const string ActorId = "tick";
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    public async Task RunAsync(DateTimeOffset now, CancellationToken cancellationToken) =>
        await db.ExecuteAsync("insert into conformance.reminder_fires (actor_id, name, data) values ($1, $2, $3)", ActorType, ActorId, now.ToString("O"));
}
