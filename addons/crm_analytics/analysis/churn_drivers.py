"""Churn drivers: which factors are most associated with a customer lapsing.

Method: a multivariable logistic regression (statsmodels ``Logit``) of the
lapse outcome on the factors, each numeric factor standardised (mean 0,
standard deviation 1) so that the odds ratios compare: "one standard
deviation more complaints multiplies the odds of lapsing by 2.4". Factors
are ranked by the absolute z statistic of their coefficient; the p-value
and the 95% confidence interval of each odds ratio say how sure that is.
Categorical factors (e.g. grade) enter as indicators against their first
level. This measures association, not cause.
"""

import numpy as np
import pandas as pd
import statsmodels.api as sm


def churn_drivers(frame, outcome, factors, categorical=()):
    """Rank ``factors`` (columns of ``frame``) by their association with
    ``outcome`` (a 0/1 column).

    Returns one row per model term, sorted by ``abs(z)`` descending:
    ``factor``, ``coefficient`` (log-odds per standard deviation, or per
    indicator), ``odds_ratio``, ``ci_low``, ``ci_high`` (95%), ``z``,
    ``p_value``. Factors without variation are left out of the model (and
    listed in ``result.attrs["dropped"]``); an outcome without both values,
    or no varying factor, raises ``ValueError``.
    """
    data = frame[[outcome, *factors]].dropna()
    y = data[outcome].astype(int)
    if y.nunique() < 2:
        raise ValueError("the outcome needs both lapsed and retained customers")
    numeric = [f for f in factors if f not in categorical]
    dropped = [f for f in factors if data[f].nunique() < 2]
    columns = []
    for factor in numeric:
        if factor in dropped:
            continue
        values = data[factor].astype(float)
        columns.append(((values - values.mean()) / values.std(ddof=0)).rename(factor))
    for factor in categorical:
        if factor in dropped:
            continue
        dummies = pd.get_dummies(
            data[factor], prefix=factor, prefix_sep="=", drop_first=True
        )
        columns.append(dummies.astype(float))
    if not columns:
        raise ValueError("none of the factors varies over these customers")
    design = sm.add_constant(pd.concat(columns, axis=1), has_constant="add")
    fitted = sm.Logit(y, design).fit(disp=False, maxiter=200)
    params = fitted.params.drop("const")
    bounds = fitted.conf_int().drop("const")
    result = pd.DataFrame(
        {
            "factor": params.index,
            "coefficient": params.to_numpy(),
            "odds_ratio": np.exp(params.to_numpy()),
            "ci_low": np.exp(bounds[0].to_numpy()),
            "ci_high": np.exp(bounds[1].to_numpy()),
            "z": fitted.tvalues.drop("const").to_numpy(),
            "p_value": fitted.pvalues.drop("const").to_numpy(),
        }
    )
    result = result.reindex(result["z"].abs().sort_values(ascending=False).index)
    result = result.reset_index(drop=True)
    result.attrs["dropped"] = dropped
    return result
