"""Every write to a dossier. See core.dossier_transition, the one writer of `status`."""
