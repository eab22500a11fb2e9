from domain.wechat.gateway import WeChatGateway, get_wechat, reset_wechat

__all__ = ["WeChatGateway", "get_wechat", "reset_wechat"]
