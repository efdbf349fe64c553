"""The interactive explorers, each an :class:`~alr_teach.viz.explorers.base.Explorer`."""

__all__: list[str] = []  # import from the modules themselves
