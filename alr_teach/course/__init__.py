"""Course infrastructure: the exercise checks, the claim helper for lesson cells and the doctor."""

__all__: list[str] = []  # import from the modules themselves
