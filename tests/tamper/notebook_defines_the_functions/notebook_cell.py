def L1_reg(W, reg):
    dW = reg * np.sign(W)
    dW[-1] = 0
    return reg * np.abs(W[:-1]).sum(), dW


def L2_reg(W, reg):
    dW = 2 * reg * W
    dW[-1] = 0
    return reg * (W[:-1] ** 2).sum(), dW
