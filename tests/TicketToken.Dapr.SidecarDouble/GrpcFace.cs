using Google.Protobuf;
using Grpc.Core;
using TicketToken.Dapr.SidecarDouble.Grpc;
using Empty = Google.Protobuf.WellKnownTypes.Empty;

namespace TicketToken.Dapr.SidecarDouble;

/// <summary>Hands the gRPC service (created per call by ASP.NET Core) the sidecar it belongs to.</summary>
internal sealed class SidecarReference
{
    public SidecarDouble? Sidecar { get; set; }
}

/// <summary>
/// The sidecar's gRPC face (what Dapr.Client uses for state, publish and metadata): the same store, broker and
/// rules as the HTTP face, with daprd's gRPC status codes — an ETag mismatch is ABORTED, a malformed ETag
/// INVALID_ARGUMENT, an unknown store or pub/sub INVALID_ARGUMENT, any failure inside a transaction INTERNAL,
/// and a missing or wrong <c>dapr-api-token</c> UNAUTHENTICATED.
/// </summary>
internal sealed class GrpcFace(SidecarReference reference) : global::TicketToken.Dapr.SidecarDouble.Grpc.Dapr.DaprBase
{
    private SidecarDouble Sidecar => reference.Sidecar ?? throw new RpcException(new Status(StatusCode.Unavailable, "the sidecar is starting"));

    public override Task<GetStateResponse> GetState(GetStateRequest request, ServerCallContext context)
    {
        Guard(context, request.StoreName);
        var response = new GetStateResponse();
        if (Sidecar.ReadState(CheckKey(request.Key)) is { } found)
        {
            response.Data = ByteString.CopyFromUtf8(found.Json);
            response.Etag = found.ETag;
        }

        return Task.FromResult(response);
    }

    public override Task<GetBulkStateResponse> GetBulkState(GetBulkStateRequest request, ServerCallContext context)
    {
        Guard(context, request.StoreName);
        var response = new GetBulkStateResponse();
        foreach (var key in request.Keys)
        {
            var item = new BulkStateItem { Key = key };
            if (Sidecar.ReadState(CheckKey(key)) is { } found)
            {
                item.Data = ByteString.CopyFromUtf8(found.Json);
                item.Etag = found.ETag;
            }

            response.Items.Add(item);
        }

        return Task.FromResult(response);
    }

    public override Task<Empty> SaveState(SaveStateRequest request, ServerCallContext context)
    {
        Guard(context, request.StoreName);
        foreach (var item in request.States)
        {
            var outcome = Sidecar.WriteState(Write(item, CheckKey(item.Key), upsert: true, request: null));
            Fail(outcome, $"failed saving state in state store {request.StoreName}");
        }

        return Task.FromResult(new Empty());
    }

    public override Task<Empty> DeleteState(DeleteStateRequest request, ServerCallContext context)
    {
        Guard(context, request.StoreName);
        var outcome = Sidecar.WriteState(new KeyValueStore.Write(CheckKey(request.Key), null, request.Etag?.Value, false, null));
        Fail(outcome, $"failed deleting state with key {request.Key}");
        return Task.FromResult(new Empty());
    }

    public override Task<Empty> ExecuteStateTransaction(ExecuteStateTransactionRequest request, ServerCallContext context)
    {
        Guard(context, request.StoreName);
        var writes = new List<KeyValueStore.Write>();
        foreach (var operation in request.Operations)
        {
            if (operation.OperationType is not ("upsert" or "delete") || operation.Request is null)
            {
                throw new RpcException(new Status(StatusCode.InvalidArgument, $"operation type {operation.OperationType} not supported"));
            }

            writes.Add(Write(operation.Request, CheckKey(operation.Request.Key), operation.OperationType == "upsert", request.Metadata));
        }

        // As over HTTP, nothing inside a transaction is reported as an ETag error: every failure is INTERNAL.
        if (Sidecar.WriteStateTransaction(writes) != KeyValueStore.Outcome.Ok)
        {
            throw new RpcException(new Status(StatusCode.Internal, "error while executing state transaction: possible etag mismatch"));
        }

        return Task.FromResult(new Empty());
    }

    public override Task<Empty> PublishEvent(PublishEventRequest request, ServerCallContext context)
    {
        Guard(context, store: null);
        var traceparent = context.RequestHeaders.GetValue("traceparent");
        var outcome = Sidecar.PublishEnvelope(request.PubsubName, request.Topic,
            string.IsNullOrEmpty(request.DataContentType) ? "application/json" : request.DataContentType, request.Data.ToStringUtf8(), traceparent);
        return outcome switch
        {
            SidecarDouble.PublishOutcome.Ok => Task.FromResult(new Empty()),
            SidecarDouble.PublishOutcome.PubSubNotFound => throw new RpcException(new Status(StatusCode.InvalidArgument, $"pubsub {request.PubsubName} is not found")),
            _ => throw new RpcException(new Status(StatusCode.InvalidArgument, "cannot deserialize cloud event")),
        };
    }

    public override Task<GetMetadataResponse> GetMetadata(GetMetadataRequest request, ServerCallContext context)
    {
        Guard(context, store: null);
        return Task.FromResult(new GetMetadataResponse { Id = Sidecar.AppId, RuntimeVersion = "double" });
    }

    private void Guard(ServerCallContext context, string? store)
    {
        if (Sidecar.Options.ApiToken is { } token && context.RequestHeaders.GetValue("dapr-api-token") != token)
        {
            throw new RpcException(new Status(StatusCode.Unauthenticated, "authentication error: api token mismatch"));
        }

        if (store is not null && !Sidecar.KnownStore(store))
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"state store {store} is not found"));
        }
    }

    private static string CheckKey(string key) =>
        string.IsNullOrEmpty(key) ? throw new RpcException(new Status(StatusCode.InvalidArgument, "state key cannot be empty"))
        : key.Contains("||", StringComparison.Ordinal) ? throw new RpcException(new Status(StatusCode.InvalidArgument, $"input key/keyPrefix '{key}' can't contain '||'"))
        : key;

    private static KeyValueStore.Write Write(StateItem item, string key, bool upsert, IDictionary<string, string>? request)
    {
        var ttl = item.Metadata.TryGetValue("ttlInSeconds", out var text) || request?.TryGetValue("ttlInSeconds", out text) == true
            ? SidecarDouble.TtlFrom(text)
            : null;
        return new KeyValueStore.Write(key, upsert ? item.Value.ToStringUtf8() : null, item.Etag?.Value,
            item.Options?.Concurrency == StateOptions.Types.StateConcurrency.ConcurrencyFirstWrite, ttl);
    }

    private static void Fail(KeyValueStore.Outcome outcome, string what)
    {
        switch (outcome)
        {
            case KeyValueStore.Outcome.ETagInvalid:
                throw new RpcException(new Status(StatusCode.InvalidArgument, what + ": invalid etag value"));
            case KeyValueStore.Outcome.ETagMismatch:
                throw new RpcException(new Status(StatusCode.Aborted, what + ": possible etag mismatch"));
        }
    }
}
