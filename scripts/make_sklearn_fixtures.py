#!/usr/bin/python3
"""Golden codes from scikit-learn's sparse_encode for org.varsparse.encode (SparseEncodeSklearnTest).

Run with Debian's interpreter, which has python3-sklearn 1.2.1 and python3-numpy:
    /usr/bin/python3 scripts/make_sklearn_fixtures.py [OUT_DIR]      (default src/test/resources/sklearn)
Writes, in sklearn's layout (dictionary n_components x n_features, codes n_samples x n_components):
    X.npy, dictionary.npy       float32 inputs (the Java side reads exactly these values)
    <case>.npy                  float64 codes from sklearn.decomposition.sparse_encode
    manifest.json               per case: algorithm, parameters, sklearn objective; versions
Deterministic (numpy RandomState(20221127)); rerunning reproduces the committed files.
"""
import json, os, sys
import numpy as np
import sklearn
from sklearn.decomposition import sparse_encode

out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "src", "test", "resources", "sklearn")
os.makedirs(out, exist_ok=True)
rng = np.random.RandomState(20221127)
n_samples, n_features, n_components = 12, 16, 24

D = rng.randn(n_components, n_features)
D /= np.linalg.norm(D, axis=1, keepdims=True)           # unit-norm atoms (OMP assumes them)
D = D.astype(np.float32)
# signals: 3-sparse mixtures of atoms plus noise, so OMP and the lasso have something to find
Z0 = np.zeros((n_samples, n_components))
for i in range(n_samples):
    idx = rng.choice(n_components, 3, replace=False)
    Z0[i, idx] = rng.uniform(0.5, 2.0, 3) * rng.choice([-1, 1], 3)
X = (Z0 @ D + 0.05 * rng.randn(n_samples, n_features)).astype(np.float32)
np.save(os.path.join(out, "X.npy"), X)
np.save(os.path.join(out, "dictionary.npy"), D)
Xd, Dd = X.astype(np.float64), D.astype(np.float64)   # sklearn computes in float64 on the float32 values


def lasso_objective(Z, alpha):
    return float(0.5 * ((Xd - Z @ Dd) ** 2).sum() + alpha * np.abs(Z).sum())


cases = [
    dict(name="omp_k4", algorithm="omp", n_nonzero_coefs=4),
    dict(name="omp_k1", algorithm="omp", n_nonzero_coefs=1),
    dict(name="lasso_cd_a0.1", algorithm="lasso_cd", alpha=0.1, positive=False),
    dict(name="lasso_cd_a0.1_pos", algorithm="lasso_cd", alpha=0.1, positive=True),
    dict(name="lasso_cd_a0.5", algorithm="lasso_cd", alpha=0.5, positive=False),
    dict(name="threshold_a0.3", algorithm="threshold", alpha=0.3, positive=False),
    dict(name="threshold_a0.3_pos", algorithm="threshold", alpha=0.3, positive=True),
]
manifest = dict(sklearn=sklearn.__version__, numpy=np.__version__, n_samples=n_samples, n_features=n_features,
                n_components=n_components, cases=[])
for c in cases:
    kw = {k: v for k, v in c.items() if k not in ("name",)}
    Z = sparse_encode(Xd, Dd, **kw)
    np.save(os.path.join(out, c["name"] + ".npy"), Z)
    obj = lasso_objective(Z, c.get("alpha", 0.0))
    manifest["cases"].append(dict(c, objective=obj, nonzeros=int((Z != 0).sum())))
    print(f"{c['name']:>20}: objective {obj:.10g}, nonzeros {(Z != 0).sum()}")
with open(os.path.join(out, "manifest.json"), "w") as f:
    json.dump(manifest, f, indent=1)
print("wrote", os.path.abspath(out))
