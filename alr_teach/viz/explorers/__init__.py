"""The interactive explorers, each an :class:`~alr_teach.viz.explorers.base.Explorer`."""
