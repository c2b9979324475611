// Placeholder while the module is being built (replaced by the module's real files).
public enum PlanningModule {}
