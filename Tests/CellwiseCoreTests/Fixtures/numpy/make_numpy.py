"""Makes the NumPy fixtures of NumPyFormatTests (numpy 2.4.6): python make_numpy.py"""
import numpy as np

x_train = np.arange(6 * 4 * 2, dtype=np.float32).reshape(6, 4, 2) / 10
x_train[1, :2, :] = np.nan          # a case of 2 steps, padded before
x_train[2, 3, :] = np.nan           # a case of 3 steps, padded after
y_train = np.array([0, 1, 2, 0, 1, 2], dtype=np.int64)
x_test = np.ones((3, 4, 2), dtype=np.float64)
y_test = np.array([2, 1, 0], dtype=np.uint8)
np.savez_compressed("series.npz", x_train=x_train, y_train=y_train, x_test=x_test, y_test=y_test)
np.savez("plain.npz", X_train=x_train[:, :, 0], y_train=y_train.astype(np.int32), x_test=x_test[:, :, 0], y_test=y_test)
np.save("int16.npy", np.array([[-3, 4], [5, -32768]], dtype=np.int16))
np.save("fortran.npy", np.asfortranarray(np.ones((2, 3))))
np.save("strings.npy", np.array(["a", "b"]))
