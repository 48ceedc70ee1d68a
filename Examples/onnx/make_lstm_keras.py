"""Trains an LSTM(32) classifier on JapaneseVowels with Keras and exports it to ONNX with tf2onnx.

    python3 -m venv /tmp/tf-venv
    /tmp/tf-venv/bin/pip install tensorflow-cpu==2.15.1 tf2onnx==1.16.1 onnx==1.17.0 numpy
    /tmp/tf-venv/bin/python Examples/onnx/make_lstm_keras.py

writes Examples/onnx/vowels-lstm-keras.onnx: tf2onnx rewrites the Keras LSTM's loop as the ONNX
LSTM operator (gates reordered i o f c, peepholes absent) and the Dense layer as MatMul, Add and
Softmax. The standardisation is part of the model (a Lambda computing (x - mean) / std).
"""
import os
import tensorflow as tf
import tf2onnx
from timeseries import load

here = os.path.dirname(os.path.abspath(__file__))
root = os.path.dirname(os.path.dirname(here))
x_train, y_train, x_test, y_test, mean, std, classes = load(f"{root}/data/timeseries", "JapaneseVowels")
tf.keras.utils.set_random_seed(1)
tf.config.experimental.enable_op_determinism()

steps, features = x_train.shape[1], x_train.shape[2]
inputs = tf.keras.Input(shape=(steps, features), name="x")
standardised = tf.keras.layers.Lambda(lambda x: (x - mean) / std, name="standardise")(inputs)
hidden = tf.keras.layers.LSTM(32, name="lstm")(standardised)
outputs = tf.keras.layers.Dense(classes, activation="softmax", name="dense")(hidden)
model = tf.keras.Model(inputs, outputs)
model.compile(optimizer=tf.keras.optimizers.Adam(1e-2), loss="sparse_categorical_crossentropy", metrics=["accuracy"])
model.fit(x_train, y_train, batch_size=32, epochs=60, verbose=0)
_, accuracy = model.evaluate(x_test, y_test, verbose=0)
print(f"Keras LSTM test accuracy {accuracy:.4f}")
path = f"{here}/vowels-lstm-keras.onnx"
spec = (tf.TensorSpec((None, steps, features), tf.float32, name="x"),)
tf2onnx.convert.from_keras(model, input_signature=spec, opset=17, output_path=path)
print(f"wrote {path}")
