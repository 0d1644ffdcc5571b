extension PostgresCopyEncoder {
    /// A dollar amount as `DollarAmount.description` writes it (`0.1200`).
    mutating func dollars(_ amount: DollarAmount) {
        fixedPoint(amount.tenThousandths, scale: DollarAmount.scale)
    }

    /// A dollar amount, or NULL.
    mutating func dollars(_ amount: DollarAmount?) {
        if let amount { dollars(amount) } else { null() }
    }

    /// A contract count as `ContractCount.description` writes it (`10.00`).
    mutating func count(_ count: ContractCount) {
        fixedPoint(count.hundredths, scale: ContractCount.scale)
    }
}
