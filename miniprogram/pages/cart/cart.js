// 购物车: a placeholder tab until the cart issue lands (GET/POST/PATCH/DELETE /api/v1/cart).
const nav = require('../../utils/nav')

Component({
  methods: {
    onLoad() {},

    goShopping() {
      nav.go('home')
    },
  },
})
