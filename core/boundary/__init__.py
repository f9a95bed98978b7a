"""The decision-boundary lab: data sets, the models, their controls, panels, learning curves and formulas."""
