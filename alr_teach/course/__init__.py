"""Course infrastructure: the exercise checks, the claim helper for lesson cells and the doctor."""
