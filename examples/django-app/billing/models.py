from decimal import Decimal

from django.db import models, transaction


class Wallet(models.Model):
    account = models.OneToOneField(
        "accounts.Account", on_delete=models.CASCADE, related_name="wallet"
    )
    currency = models.CharField(max_length=3, default="EUR")
    balance = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal("0.00"))
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"{self.account} ({self.balance} {self.currency})"

    def post(self, kind, amount, reference="", created_by=None):
        """Record a transaction and update the balance atomically."""
        amount = Decimal(amount)
        if amount <= 0:
            raise ValueError(f"amount must be positive, got {amount}")
        with transaction.atomic():
            wallet = Wallet.objects.select_for_update().get(pk=self.pk)
            delta = amount if kind == WalletTransaction.Kind.CREDIT else -amount
            wallet.balance += delta
            wallet.save(update_fields=["balance"])
            self.balance = wallet.balance
            return WalletTransaction.objects.create(
                wallet=wallet,
                kind=kind,
                amount=amount,
                reference=reference,
                created_by=created_by,
            )


class WalletTransaction(models.Model):
    class Kind(models.TextChoices):
        CREDIT = "credit", "Credit"
        DEBIT = "debit", "Debit"

    wallet = models.ForeignKey(Wallet, on_delete=models.CASCADE, related_name="transactions")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    reference = models.CharField(max_length=100, blank=True)
    created_by = models.ForeignKey(
        "accounts.Account",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["wallet", "created_at"], name="billing_wtx_wallet_created")]

    def __str__(self):
        return f"{self.kind} {self.amount} on wallet {self.wallet_id}"
