using System.Diagnostics.Metrics;

namespace TicketToken.Minting.Domain;

/// <summary>The module's instruments (meter <c>TicketToken.Minting</c>): drift found by reconciliation, chain work, the fee payer.</summary>
public sealed class MintingMetrics : IDisposable
{
    public const string MeterName = "TicketToken.Minting";

    private readonly Meter _meter = new(MeterName);
    private long _driftRepaired;
    private long _driftUnrepairable;
    private long _feePayerLamports = -1;

    public MintingMetrics()
    {
        Transactions = _meter.CreateCounter<long>("tickettoken.minting.transactions", description: "Chain transactions sent, by kind and outcome.");
        _meter.CreateObservableGauge("tickettoken.minting.drift.repaired", () => Interlocked.Read(ref _driftRepaired),
            description: "Tickets the last reconciliation found out of step and put right.");
        _meter.CreateObservableGauge("tickettoken.minting.drift.unrepairable", () => Interlocked.Read(ref _driftUnrepairable),
            description: "Tickets the last reconciliation found out of step and could not put right (see the admin route).");
        _meter.CreateObservableGauge("tickettoken.minting.fee_payer.lamports", () => Interlocked.Read(ref _feePayerLamports),
            unit: "lamports", description: "The fee payer's balance when last read (-1: not read yet).");
    }

    public Counter<long> Transactions { get; }

    public long FeePayerLamports => Interlocked.Read(ref _feePayerLamports);

    public void Drift(int repaired, int unrepairable)
    {
        Interlocked.Exchange(ref _driftRepaired, repaired);
        Interlocked.Exchange(ref _driftUnrepairable, unrepairable);
    }

    public void FeePayer(long lamports) => Interlocked.Exchange(ref _feePayerLamports, lamports);

    public void Dispose() => _meter.Dispose();
}
