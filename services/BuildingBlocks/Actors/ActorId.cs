namespace TicketToken.BuildingBlocks.Actors;

/// <summary>Identifies one actor within its type. Opaque text; Dapr puts it in URL paths, so keep it printable.</summary>
public sealed record ActorId
{
    public ActorId(string id)
    {
        if (string.IsNullOrWhiteSpace(id))
        {
            throw new ArgumentException("An actor id must not be empty.", nameof(id));
        }

        Id = id;
    }

    public string Id { get; }

    public static ActorId CreateRandom() => new(Guid.NewGuid().ToString("N"));

    public string GetId() => Id;

    public override string ToString() => Id;
}

/// <summary>Marker for actor interfaces. Their methods return <see cref="Task"/> or <see cref="Task{T}"/> and take at most one parameter (a record).</summary>
#pragma warning disable CA1040 // the marker is how proxies and registration recognise actor contracts, as in the Dapr SDK
public interface IActor
{
}
#pragma warning restore CA1040

/// <summary>An actor that receives durable reminders.</summary>
public interface IRemindable
{
    Task ReceiveReminderAsync(string reminderName, byte[]? state, TimeSpan dueTime, TimeSpan period);
}

/// <summary>A reminder as registered.</summary>
public sealed record ActorReminder(string Name, byte[]? State, TimeSpan DueTime, TimeSpan Period);

/// <summary>A timer as registered. Timers are not durable: they stop at deactivation or restart.</summary>
public sealed record ActorTimer(string Name, string Callback, byte[]? State, TimeSpan DueTime, TimeSpan Period);

/// <summary>The actor method threw; <see cref="Exception.InnerException"/> is the original when the actor ran in this process.</summary>
public sealed class ActorMethodInvocationException : Exception
{
    public ActorMethodInvocationException(string actorType, string method, string errorType, string message, Exception? inner = null)
        : base($"Actor method {actorType}.{method} failed with {errorType}: {message}", inner)
    {
        ActorType = actorType;
        Method = method;
        ErrorType = errorType;
    }

    public string ActorType { get; }
    public string Method { get; }

    /// <summary>The full name of the exception type the actor threw.</summary>
    public string ErrorType { get; }
}

/// <summary>No module of this host registered the actor type, or the method does not exist on it.</summary>
public sealed class ActorNotFoundException : Exception
{
    public ActorNotFoundException(string message) : base(message) { }
}
