"""Qt code only. Qt is imported from posloyalty.ui.qt and nowhere else."""
