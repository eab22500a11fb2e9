// Saving a picture (a poster) to the phone's album, and telling the shopper why it did not work: the privacy guide
// declined, the album permission off (with the way to the settings), or anything else. Resolves true once saved.
function save(filePath) {
  return new Promise((resolve) => {
    wx.saveImageToPhotosAlbum({
      filePath,
      success: () => {
        wx.showToast({ title: '已保存到相册', icon: 'success' })
        resolve(true)
      },
      fail: (err) => {
        const msg = (err && err.errMsg) || ''
        if (/privacy/i.test(msg)) {
          wx.showToast({ title: '同意用户隐私保护指引后才能保存', icon: 'none' })
        } else if (/auth|deny|denied/i.test(msg)) {
          wx.showModal({
            title: '需要相册权限',
            content: '请在设置中允许保存到相册，然后再试一次',
            confirmText: '去设置',
            success: (res) => { if (res.confirm) wx.openSetting({}) },
          })
        } else if (!/cancel/i.test(msg)) {
          wx.showToast({ title: '保存失败，请稍后重试', icon: 'none' })
        }
        resolve(false)
      },
    })
  })
}

module.exports = { save }
